//go:build amd64 && !purego

#include "textflag.h"

// TANH8 computes tanhFast on the eight lanes of Z0 into Z3 (see mathfast.go
// for the algorithm; the operations match tanhFast one for one). Constants:
// Z31 |x| mask, Z30 clamp, Z29 1/ln2, Z28 round magic, Z27 ln2 hi, Z26 ln2 lo,
// Z25 1, Z24 2, Z23 0xfff, Z22 1023, Z10…Z21 the Taylor coefficients c2…c13.
// Clobbers Z1…Z9.
#define TANH8 \
	VPANDQ Z31, Z0, Z1         \ // a = |x|
	VMINPD Z1, Z30, Z1         \ // a = min(clamp, a); NaN stays NaN
	VADDPD Z1, Z1, Z1          \ // y = 2a
	VMOVAPD Z28, Z2            \
	VFMADD231PD Z29, Z1, Z2    \ // t = y/ln2 + magic
	VSUBPD Z28, Z2, Z3         \ // k = t − magic
	VMOVAPD Z1, Z4             \
	VFNMADD231PD Z27, Z3, Z4   \ // r = y − k·ln2hi
	VFNMADD231PD Z26, Z3, Z4   \ // r −= k·ln2lo
	VMULPD Z4, Z4, Z5          \ // r²
	VMULPD Z5, Z5, Z6          \ // r⁴
	VMOVAPD Z11, Z7            \
	VFMADD213PD Z10, Z4, Z7    \ // c2 + r·c3
	VMOVAPD Z13, Z8            \
	VFMADD213PD Z12, Z4, Z8    \ // c4 + r·c5
	VFMADD231PD Z8, Z5, Z7     \ // q0
	VMOVAPD Z15, Z8            \
	VFMADD213PD Z14, Z4, Z8    \ // c6 + r·c7
	VMOVAPD Z17, Z9            \
	VFMADD213PD Z16, Z4, Z9    \ // c8 + r·c9
	VFMADD231PD Z9, Z5, Z8     \ // q1
	VMOVAPD Z19, Z9            \
	VFMADD213PD Z18, Z4, Z9    \ // c10 + r·c11
	VMOVAPD Z21, Z1            \
	VFMADD213PD Z20, Z4, Z1    \ // c12 + r·c13
	VFMADD231PD Z1, Z5, Z9     \ // q2
	VFMADD231PD Z9, Z6, Z8     \ // q1 + r⁴·q2
	VFMADD231PD Z8, Z6, Z7     \ // q = q0 + r⁴·(q1 + r⁴·q2)
	VFMADD231PD Z7, Z5, Z4     \ // em = r + r²·q = expm1(r)
	VPANDQ Z23, Z2, Z2         \
	VPADDQ Z22, Z2, Z2         \
	VPSLLQ $52, Z2, Z2         \ // 2^k
	VSUBPD Z25, Z2, Z3         \ // 2^k − 1
	VFMADD231PD Z4, Z2, Z3     \ // E = 2^k·em + 2^k − 1
	VADDPD Z24, Z3, Z5         \ // E + 2
	VDIVPD Z5, Z3, Z3          \ // E/(E+2)
	VPANDNQ Z0, Z31, Z0        \ // sign of x
	VPORQ Z0, Z3, Z3

// func tanhAVX512(dst, src *float64, n int, consts *[22]uint64)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ consts+24(FP), R8
	VBROADCASTSD 0(R8), Z31
	VBROADCASTSD 8(R8), Z30
	VBROADCASTSD 16(R8), Z29
	VBROADCASTSD 24(R8), Z28
	VBROADCASTSD 32(R8), Z27
	VBROADCASTSD 40(R8), Z26
	VBROADCASTSD 48(R8), Z25
	VBROADCASTSD 56(R8), Z24
	VBROADCASTSD 64(R8), Z23
	VBROADCASTSD 72(R8), Z22
	VBROADCASTSD 80(R8), Z10
	VBROADCASTSD 88(R8), Z11
	VBROADCASTSD 96(R8), Z12
	VBROADCASTSD 104(R8), Z13
	VBROADCASTSD 112(R8), Z14
	VBROADCASTSD 120(R8), Z15
	VBROADCASTSD 128(R8), Z16
	VBROADCASTSD 136(R8), Z17
	VBROADCASTSD 144(R8), Z18
	VBROADCASTSD 152(R8), Z19
	VBROADCASTSD 160(R8), Z20
	VBROADCASTSD 168(R8), Z21
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   tail

loop:
	VMOVUPD (SI), Z0
	TANH8
	VMOVUPD Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ BX
	JNZ  loop

tail:
	ANDQ $7, CX
	JZ   done
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K1
	VMOVUPD.Z (SI), K1, Z0
	TANH8
	VMOVUPD Z3, K1, (DI)

done:
	VZEROUPPER
	RET
