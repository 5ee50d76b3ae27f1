package optim

import "ansatz/registry"

func init() {
	registry.Register(registry.Module{Kind: registry.Optimizer, Name: "adam",
		Doc: "Adam (PyTorch semantics; weight_decay adds an L2 term to the gradient unless decoupled)",
		New: func() any { return NewAdam() }})
	registry.Register(registry.Module{Kind: registry.Optimizer, Name: "adamw",
		Doc: "AdamW: Adam with decoupled weight decay",
		New: func() any { a := NewAdam(); a.Decoupled = true; a.WeightDecay = 1e-2; return a }})
	registry.Register(registry.Module{Kind: registry.Optimizer, Name: "sgd",
		Doc: "stochastic gradient descent with optional (Nesterov) momentum",
		New: func() any { return NewSGD() }})
	registry.Register(registry.Module{Kind: registry.Schedule, Name: "constant",
		Doc: "constant learning rate", New: func() any { return &Constant{} }})
	registry.Register(registry.Module{Kind: registry.Schedule, Name: "exponential",
		Doc: "learning rate × gamma every 'every' steps", New: func() any { return NewExponential() }})
	registry.Register(registry.Module{Kind: registry.Schedule, Name: "cosine",
		Doc: "linear warm-up, then cosine decay to min at the last step", New: func() any { return &Cosine{} }})
}
