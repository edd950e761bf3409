from . import CALLBACK_DIR

print(CALLBACK_DIR)
