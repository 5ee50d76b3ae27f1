// Package optim holds the gradient-based optimisers (Adam/AdamW, SGD with
// momentum), global-norm gradient clipping and learning-rate schedules used to
// train ansatz models built on package autodiff.
//
// Optimisers follow PyTorch's torch.optim semantics exactly (same update
// formulas, same order of operations, same defaults), so a run can be compared
// step for step with a PyTorch reference. They update parameter tensors in
// place through Tensor.Data and keep their state (moment buffers, momentum
// buffers, step counts) per parameter position: call Step with the same
// parameter list, in the same order, every time. State buffers are allocated on
// the first Step; later steps do not allocate.
//
// Each optimiser type is also its own options struct: its exported fields carry
// yaml and doc tags, the New* constructor returns the defaults, and Validate
// checks the value ranges (errors name the field by its yaml key). A registry
// can therefore create a value with the constructor, decode the user's YAML
// over it and call Validate.
//
// A Schedule maps (base learning rate, step, total steps) to the learning rate
// of that step; the training loop applies it with Optimizer.SetLR before each
// Step.
package optim
