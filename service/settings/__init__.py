"""The one place that reads the environment.

Every knob has a default that works offline on a laptop; override with `RECS_*`
environment variables (nested fields use `__`, e.g. `RECS_FUSION__CF=1.0`) or a
`.env` file. Build it once with `get_settings()` and pass it down.
"""

from service.settings.candidates import CFSettings, FusionWeights
from service.settings.core import Settings, get_settings
from service.settings.events import ExperimentSettings, ExposureSettings, FeedbackSettings, FeedbackType
from service.settings.llm import ChatSettings, ExplainSettings, LLMSettings
from service.settings.processes import ServeSettings, TrainerSettings

__all__ = ["CFSettings", "ChatSettings", "ExperimentSettings", "ExplainSettings", "ExposureSettings",
           "FeedbackSettings", "FeedbackType", "FusionWeights", "LLMSettings", "ServeSettings", "Settings",
           "TrainerSettings", "get_settings"]
