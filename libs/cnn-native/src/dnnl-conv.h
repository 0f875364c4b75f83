// Convolutions on oneDNN, the library PyTorch runs its own CPU convolutions on, loaded at run
// time like OpenBLAS: where it is missing (or the addon was built without its headers) the
// im2col + OpenBLAS path in conv.cc runs instead.
//
// oneDNN picks its code path (avx512_core, avx2, sse41...) from the CPU's feature flags with its
// own cpuid checks, never from the model name; DnnlDescription() says which one it took.
#pragma once

#include "kernels.h"

namespace moodlab {

// Loads libdnnl.so.2 once per process and runs its kernels on `threads` threads from then on
// (each calling thread sets its own OpenMP thread count). Returns null when loaded, else why not.
const char* LoadDnnl(int threads);

// The thread count for the calling thread and for threads that first convolve from now on.
void SetDnnlThreads(int threads);

// Turns the oneDNN kernels off (the im2col path runs) or back on once loaded; tests run both.
void UseDnnl(bool on);

// Whether LoadDnnl succeeded (and UseDnnl has not turned it off); the kernels below return false without it.
bool DnnlLoaded();

// How many convolutions oneDNN has computed in this process (tests check which path ran).
long DnnlConvolutions();

// e.g. "oneDNN 2.6.3 (avx512_core)"; empty when not loaded.
const char* DnnlDescription();

// The three convolutions of a training step on NHWC activations and [KH, KW, CI, CO] filters, as
// in kernels.h, without bias or activation. Each returns false when oneDNN is not loaded or has
// no implementation for this geometry; the caller then computes the whole output its own way.
bool DnnlConv2DForward(const float* x, const float* w, const Dims& d, float* y);
bool DnnlConv2DBackpropInput(const float* dy, const float* w, const Dims& d, float* dx);
bool DnnlConv2DBackpropFilter(const float* x, const float* dy, const Dims& d, float* dw);

}  // namespace moodlab
