"""late_root.py - roots that do not exist at start-up are picked up when
they appear (the agent watches their nearest existing parent), including
one created with all its parents at once and its first file already in
it; and files outside the roots in those parents are never touched."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from watchlib import (BENIGN, Agent, Home, check, check_untouched,  # noqa
                      malicious, wait_quarantined, write)

h = Home(create_roots=False)
agent = Agent(h).start()
ready = agent.wait_ready()
check(ready.get("missing_roots") == "3", "expected 3 missing roots, got %r"
      % ready.get("missing_roots"))

# Not a root: a file in ~/.cache itself (watched only as a parent).
not_ours = os.path.join(h.home, ".cache", "other-app.pkl")
write(not_ours, malicious(1))

# The whole hub chain at once, with a file already inside.
blob = os.path.join(h.hub, "models--late--m", "blobs", "e5" * 20)
write(blob, malicious(2))
agent.wait_for(r'watching root path="[^"]*huggingface/hub"', timeout=20)
wait_quarantined(h, [blob], timeout=20)

# Keras' root, created level by level, then a file arrives later.
os.makedirs(os.path.join(h.home, ".keras"))
os.makedirs(h.keras)
agent.wait_for(r'watching root path="[^"]*\.keras/models"', timeout=20)
later = os.path.join(h.keras, "late.keras")
write(later, malicious(3))
good = os.path.join(h.keras, "good.keras")
write(good, BENIGN)
wait_quarantined(h, [later], timeout=20)
check_untouched(h, [not_ours, good])
check(agent.stop() == 0, "agent did not stop cleanly")
print("ok: two roots created after start-up were watched")
