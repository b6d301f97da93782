"""One live-session service for the clinic and the home: ``LiveSession`` runs an exercise from typed
messages (``messages``) and keeps it through a keeper (``keepers``: a visit's exercise record, or the
patient's guided home session). The WebSocket that carries it is the web's (``web/live.py``)."""

from reeducate.clinic.services.live_session.keepers import Chosen, HomeKeeper, Keeper, VisitKeeper
from reeducate.clinic.services.live_session.session import LiveSession

__all__ = ["Chosen", "HomeKeeper", "Keeper", "LiveSession", "VisitKeeper"]
