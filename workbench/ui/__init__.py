"""ipywidgets + plotly: the shared State, the panels, and the assembled Workbench app."""

from .analogy import AnalogyPanel
from .app import Workbench
from .neighbours import NeighboursPanel
from .projection import ProjectionPanel
from .similarity import SimilarityPanel
from .source import SourcePanel
from .state import State
from .status import StatusPanel
from .training import TrainingPanel

__all__ = ["State", "Workbench", "SourcePanel", "ProjectionPanel", "NeighboursPanel", "AnalogyPanel",
           "SimilarityPanel", "StatusPanel", "TrainingPanel"]
