"""The wire format shared by the server and every client: pure Python and numpy."""

from app.protocol.codec import DTYPES, FrameTensor, decode_frame, encode_frame

__all__ = ["DTYPES", "FrameTensor", "decode_frame", "encode_frame"]
