"""How a model runs: the Engine protocol, the torch, CTranslate2 and Ray engines, the factory and device planning."""
