"""A run in a notebook: its live /inspect view inline, as an iframe of the server's page (which lets
notebooks on this machine frame it, app/api/security.py)."""

import html

INLINE_HEIGHT = 720


def inline_view(url: str, name: str, height: int = INLINE_HEIGHT) -> str:
    """HTML that shows the page at ``url`` (a run's /inspect view) inline, with a link to open it alone."""
    if not isinstance(height, int) or height <= 0:
        raise ValueError("height must be a positive number of pixels")
    src, title = html.escape(url, quote=True), html.escape(f"nnlive: {name}", quote=True)
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="{height}" '
        'style="border: 1px solid #ccc; border-radius: 4px"></iframe>'
        f'<div><a href="{src}" target="_blank" rel="noopener">{html.escape(url)}</a></div>'
    )


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (IPython present, and not its terminal shell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"


def display_inline(url: str, name: str, height: int = INLINE_HEIGHT) -> None:
    """Show the page inline in Jupyter; elsewhere print its link."""
    markup = inline_view(url, name, height)  # checks height either way
    if not in_notebook():
        print(f"nnlive: watch this run at {url}", flush=True)
        return
    from IPython.display import HTML, display

    display(HTML(markup))
