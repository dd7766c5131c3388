"""The recordings shipped with nnlive (static/recordings/, made by tools/make_recordings.py from real
training runs), which /replay offers to play with one click."""

from dataclasses import dataclass
from pathlib import Path

RECORDINGS = "recordings"  # under the static directory, served as /static/recordings/


@dataclass(frozen=True)
class ShippedRecording:
    """One shipped recording: its file's stem and the page that plays it."""

    name: str
    page: str

    @property
    def title_key(self) -> str:
        return f"replay.shipped_{self.name}"

    @property
    def summary_key(self) -> str:
        return f"replay.shipped_{self.name}_summary"

    @property
    def file(self) -> str:
        return f"{self.name}.nnrec"

    @property
    def url(self) -> str:
        return f"/static/{RECORDINGS}/{self.file}"


SHIPPED = (
    ShippedRecording("lenet", "/lenet"),
    ShippedRecording("attention", "/attention"),
    ShippedRecording("charrnn", "/charrnn"),
)


def available(static_dir: Path) -> list[tuple[ShippedRecording, int]]:
    """The shipped recordings present in ``static_dir``, each with its size in bytes."""
    found = [(shipped, static_dir / RECORDINGS / shipped.file) for shipped in SHIPPED]
    return [(shipped, path.stat().st_size) for shipped, path in found if path.is_file()]
