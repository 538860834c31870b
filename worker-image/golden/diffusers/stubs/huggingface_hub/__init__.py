"""Stand-in for huggingface_hub (not packaged by Debian): the names diffusers imports, none used
by building and running a model locally."""
import sys, types

class _Unused:
    def __init__(self, *a, **k):
        pass
    def __call__(self, *a, **k):
        if len(a) == 1 and callable(a[0]) and not k:
            return a[0]  # used as a decorator: leave the function as it is
        return _Unused()
    def __getattr__(self, name):
        return _Unused()

def __getattr__(name):
    if name.isupper():
        return "/nonexistent" if "HOME" in name or "CACHE" in name else ""
    if name.endswith("Error"):
        return type(name, (Exception,), {})
    return _Unused

for _sub in ("constants", "utils", "file_download", "errors", "hf_api", "utils.tqdm"):
    _m = types.ModuleType("huggingface_hub." + _sub)
    _m.__getattr__ = __getattr__
    sys.modules["huggingface_hub." + _sub] = _m
