"""Stand-in for safetensors (not packaged by Debian): diffusers imports it at load time; the
generator writes its safetensors files itself."""
import sys, types
def __getattr__(name):
    raise AttributeError(name)
torch = types.ModuleType("safetensors.torch")
sys.modules["safetensors.torch"] = torch
