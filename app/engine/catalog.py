"""The model catalog: every model family a session can run, by name."""

from app.engine.live.base import ModelSpec
from app.engine.live.charrnn import CHARRNN
from app.engine.live.conv import CONV2D
from app.engine.live.dropout import DROPOUT
from app.engine.live.lenet import LENET
from app.engine.live.lstm import LSTM
from app.engine.live.memory import MEMORY
from app.engine.live.pool import AVGPOOL2D, MAXPOOL2D
from app.engine.live.rnn import RNN
from app.engine.live.seq2seq import SEQ2SEQ

CATALOG: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (LENET, CONV2D, MAXPOOL2D, AVGPOOL2D, DROPOUT, RNN, LSTM, MEMORY, CHARRNN, SEQ2SEQ)
}
