package kahler

import "ansatz/registry"

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "phi_fs",
		Doc: "Calabi–Yau metric g = g_FS + ∂∂̄φ with φ a network of the point (and ψ): Kähler by construction, in the Fubini–Study class",
		New: func() any { return NewPhiFS() },
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "mult_fs",
		Doc: "Calabi–Yau metric g = g_FS + g_FS ⊙ h (entrywise) on the ambient space, h a network's Hermitian matrix",
		New: func() any { return NewHermitianFS(Multiplicative) },
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "add_fs",
		Doc: "Calabi–Yau metric g = g_FS + h on the ambient space, h a network's Hermitian matrix",
		New: func() any { return NewHermitianFS(Additive) },
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "free",
		Doc: "Calabi–Yau metric g = h on the ambient space, h a network's Hermitian matrix",
		New: func() any { return NewHermitianFS(Free) },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "monge_ampere",
		Doc: "σ-loss Σw|1 − det g/(κ|Ω|²)|^p/Σw with κ from the batch, per ψ value (needs a metric model)",
		New: func() any { return &MongeAmpereLoss{Power{1}} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "sigma",
		Doc: "the σ measure (Monge–Ampère residual with p = 1, weighted, per ψ value); use with weight 0 to log it",
		New: func() any { return &SigmaMeasure{} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "kahler",
		Doc: "mean Σ|c_abc|^p of the pulled-back closure c = ∂_k g_ij̄ − ∂_i g_kj̄ (zero for Kähler metrics)",
		New: func() any { return &KahlerLoss{Power: Power{1}} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "transition",
		Doc: "mean Σ|g' − T g T†|^p/(n−1)² between the metric at a point in two charts (columns alt_x, alt_pullback, alt_transition)",
		New: func() any { return &TransitionLoss{Power{1}} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "volume",
		Doc: "|Vol_K(g)/Vol_K(g_FS) − 1|^p on the batch: the metric's volume against the Fubini–Study class's intersection number",
		New: func() any { return &VolumeLoss{Power{1}} },
	})
}

func init() {
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "sigma_by_psi",
		Doc: "σ of the trained metric, of Fubini–Study (and of Donaldson's metric of degree donaldson_k) per ψ on the held-out points; symmetry gap at ψ = 0",
		New: func() any { return NewSigmaByPsi() },
	})
}

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "algebraic",
		Doc: "algebraic metric K = log(s†Hs)/(kπ) over the degree-k sections, H = MM† learned by gradient descent from the identity",
		New: func() any { return &Algebraic{K: 2} },
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "donaldson",
		Doc: "algebraic metric of degree k with H from Donaldson's T-operator iteration on the training points (fitted, not trained: train.steps 0)",
		New: func() any { return NewDonaldson() },
	})
}
