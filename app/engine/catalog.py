"""The model catalog: every model family a session can run, by name."""

from app.engine.live.activations import ACTIVATIONS
from app.engine.live.backprop import BACKPROP
from app.engine.live.base import ModelSpec
from app.engine.live.charrnn import CHARRNN
from app.engine.live.conv import CONV2D
from app.engine.live.dropout import DROPOUT
from app.engine.live.dropoutpair import DROPOUT_PAIR
from app.engine.live.embedding import EMBEDDING
from app.engine.live.external import INSPECT
from app.engine.live.handrnn import HANDRNN
from app.engine.live.learning import LEARNING
from app.engine.live.lenet import LENET
from app.engine.live.loss import LOSS
from app.engine.live.lstm import LSTM
from app.engine.live.memory import MEMORY
from app.engine.live.minilm_tokens import MINILM_TOKENS
from app.engine.live.mlp import MLP
from app.engine.live.optim import OPTIM
from app.engine.live.pool import AVGPOOL2D, MAXPOOL2D
from app.engine.live.rnn import RNN
from app.engine.live.seq2seq import SEQ2SEQ
from app.engine.live.transformer import TRANSFORMER
from app.engine.live.word2vec import WORD2VEC

CATALOG: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ACTIVATIONS,
        MLP,
        LOSS,
        OPTIM,
        LENET,
        CONV2D,
        MAXPOOL2D,
        AVGPOOL2D,
        DROPOUT,
        DROPOUT_PAIR,
        RNN,
        HANDRNN,
        LSTM,
        MEMORY,
        CHARRNN,
        EMBEDDING,
        WORD2VEC,
        MINILM_TOKENS,
        SEQ2SEQ,
        TRANSFORMER,
        INSPECT,
        BACKPROP,
        LEARNING,
    )
}
