#include "dnnl-conv.h"

#include <dlfcn.h>

#include <cstdio>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#if __has_include(<oneapi/dnnl/dnnl.h>)
#include <oneapi/dnnl/dnnl.h>
#define MOODLAB_HAS_DNNL 1
#endif

namespace moodlab {

#ifndef MOODLAB_HAS_DNNL

void SetDnnlThreads(int) {}
void UseDnnl(bool) {}
long DnnlConvolutions() { return 0; }
const char* LoadDnnl(int) { return "built without oneDNN's headers (Debian/Ubuntu: apt-get install libdnnl-dev, then npm rebuild)"; }
bool DnnlLoaded() { return false; }
const char* DnnlDescription() { return ""; }
bool DnnlConv2DForward(const float*, const float*, const Dims&, float*) { return false; }
bool DnnlConv2DBackpropInput(const float*, const float*, const Dims&, float*) { return false; }
bool DnnlConv2DBackpropFilter(const float*, const float*, const Dims&, float*) { return false; }

#else

namespace {

// oneDNN's C API, resolved from the library loaded at run time; the prototypes come from its
// headers, so a signature that changed would fail to compile rather than misbehave.
#define MOODLAB_DNNL_FUNCTIONS(X)                                                                         \
  X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_wait) X(dnnl_memory_desc_init_by_tag)          \
  X(dnnl_dilated_convolution_forward_desc_init) X(dnnl_dilated_convolution_backward_data_desc_init)         \
  X(dnnl_dilated_convolution_backward_weights_desc_init) X(dnnl_primitive_desc_create)                      \
  X(dnnl_primitive_desc_destroy) X(dnnl_primitive_desc_query_md) X(dnnl_primitive_create)                   \
  X(dnnl_memory_create) X(dnnl_memory_set_data_handle) X(dnnl_primitive_execute)                            \
  X(dnnl_reorder_primitive_desc_create) X(dnnl_memory_desc_equal) X(dnnl_memory_desc_get_size)              \
  X(dnnl_version) X(dnnl_get_effective_cpu_isa) X(dnnl_primitive_destroy) X(dnnl_memory_destroy) \
  X(dnnl_stream_destroy) X(dnnl_engine_destroy)

struct Api {
#define MOODLAB_DNNL_MEMBER(name) decltype(&::name) name = nullptr;
  MOODLAB_DNNL_FUNCTIONS(MOODLAB_DNNL_MEMBER)
#undef MOODLAB_DNNL_MEMBER
  void (*omp_set_num_threads)(int) = nullptr;
  std::atomic<int> threads{1};
  std::string error, description;
  bool loaded = false;
  std::atomic<bool> enabled{true};
  std::atomic<long> convolutions{0};
};

Api& Dnnl() {
  static Api api;
  return api;
}

const char* IsaName(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    default: return "generic";
  }
}

void Load(int threads) {
  Api& api = Dnnl();
  api.threads = threads;
  void* lib = nullptr;
  for (const char* name : {"libdnnl.so.2", "libdnnl.so"}) {
    if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
  }
  if (!lib) {
    api.error = "oneDNN not found at run time (Debian/Ubuntu: apt-get install libdnnl2)";
    return;
  }
#define MOODLAB_DNNL_RESOLVE(name)                                                  \
  api.name = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));                \
  if (!api.name) {                                                                  \
    api.error = "the loaded libdnnl lacks " #name " (oneDNN 2.x is needed)";        \
    return;                                                                         \
  }
  MOODLAB_DNNL_FUNCTIONS(MOODLAB_DNNL_RESOLVE)
#undef MOODLAB_DNNL_RESOLVE
  // Debian's oneDNN runs on OpenMP; without a count per thread it would start one thread per core
  // in every training process and replica, which the caller has already spread over the cores.
  if (void* gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD)) {
    api.omp_set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(gomp, "omp_set_num_threads"));
  }
  const dnnl_version_t* v = api.dnnl_version();
  char text[96];
  std::snprintf(text, sizeof(text), "oneDNN %d.%d.%d (%s)", v->major, v->minor, v->patch, IsaName(api.dnnl_get_effective_cpu_isa()));
  api.description = text;
  api.loaded = true;
}

// Everything one convolution geometry needs, made once per thread: oneDNN's primitives may run
// from several threads at once only on separate streams, and the replicas are threads.
struct Conv {
  bool ok = false;
  dnnl_primitive_t forward = nullptr, backward_data = nullptr, backward_weights = nullptr;
  // Filters as stored ([KH, KW, CI, CO]) and as each primitive wants them, with the reorders.
  dnnl_memory_desc_t user_w{}, fwd_w{}, bwd_data_w{}, bwd_weights_w{};
  dnnl_primitive_t to_fwd_w = nullptr, to_bwd_data_w = nullptr, from_bwd_weights_w = nullptr;
  dnnl_memory_t x = nullptr, y = nullptr, w_user = nullptr, w_fwd = nullptr, w_bwd_data = nullptr, w_bwd_weights = nullptr;
  std::vector<float> w_fwd_buffer, w_bwd_data_buffer, w_bwd_weights_buffer;

  Conv() = default;
  Conv(const Conv&) = delete;
  Conv& operator=(const Conv&) = delete;
  ~Conv() {
    Api& api = Dnnl();
    for (dnnl_primitive_t p : {forward, backward_data, backward_weights, to_fwd_w, to_bwd_data_w, from_bwd_weights_w})
      if (p) api.dnnl_primitive_destroy(p);
    for (dnnl_memory_t m : {x, y, w_user, w_fwd, w_bwd_data, w_bwd_weights})
      if (m) api.dnnl_memory_destroy(m);
  }
};

// Geometries kept per thread. Serving meets a new batch size with each new number of faces in a
// frame, and each geometry holds its primitives and filter buffers (up to 9 MB each for seed-cnn's
// 512-channel layers), so past this many the cache starts again rather than grow without bound.
constexpr size_t kMaxGeometries = 48;

struct ThreadState {
  dnnl_engine_t engine = nullptr;
  dnnl_stream_t stream = nullptr;
  bool ready = false;
  std::map<DimsKey, std::unique_ptr<Conv>> convs;

  // A replica thread ends with its training run: its primitives, stream and engine go with it.
  ~ThreadState() {
    convs.clear();
    if (stream) Dnnl().dnnl_stream_destroy(stream);
    if (engine) Dnnl().dnnl_engine_destroy(engine);
  }
};

ThreadState& State() {
  static thread_local ThreadState state;
  Api& api = Dnnl();
  if (!state.ready && api.loaded) {
    if (api.omp_set_num_threads) api.omp_set_num_threads(api.threads);
    if (api.dnnl_engine_create(&state.engine, dnnl_cpu, 0) == dnnl_success &&
        api.dnnl_stream_create(&state.stream, state.engine, dnnl_stream_default_flags) == dnnl_success)
      state.ready = true;
  }
  return state;
}

// A reorder from one layout of the filters to another, or null when they are the same layout.
bool Reorder(dnnl_engine_t engine, const dnnl_memory_desc_t* from, const dnnl_memory_desc_t* to, dnnl_primitive_t* out) {
  Api& api = Dnnl();
  *out = nullptr;
  if (api.dnnl_memory_desc_equal(from, to)) return true;
  dnnl_primitive_desc_t pd = nullptr;
  if (api.dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, nullptr) != dnnl_success) return false;
  const bool ok = api.dnnl_primitive_create(out, pd) == dnnl_success;
  api.dnnl_primitive_desc_destroy(pd);
  return ok;
}

// Memory of its own for filters in a primitive's layout, where that is not the caller's layout.
bool FilterMemory(dnnl_engine_t engine, const dnnl_memory_desc_t* md, std::vector<float>* buffer, dnnl_memory_t* out) {
  Api& api = Dnnl();
  buffer->resize(api.dnnl_memory_desc_get_size(md) / sizeof(float));
  return api.dnnl_memory_create(out, md, engine, buffer->data()) == dnnl_success;
}

bool Build(ThreadState& s, const Dims& d, Conv* c) {
  Api& api = Dnnl();
  const dnnl_dims_t x_dims = {d.n, d.c, d.h, d.w}, y_dims = {d.n, d.co, d.oh, d.ow}, w_dims = {d.co, d.c, d.kh, d.kw};
  const dnnl_dims_t strides = {d.sh, d.sw}, dilates = {d.dh - 1, d.dw - 1}, pad_l = {d.pt, d.pl};
  // The bottom and right padding that make the output size come out as TF computed it.
  const dnnl_dims_t pad_r = {(d.oh - 1) * d.sh + (d.kh - 1) * d.dh + 1 - d.h - d.pt,
                             (d.ow - 1) * d.sw + (d.kw - 1) * d.dw + 1 - d.w - d.pl};
  if (pad_r[0] < 0 || pad_r[1] < 0) return false;
  dnnl_memory_desc_t x_md, y_md, w_any;
  if (api.dnnl_memory_desc_init_by_tag(&x_md, 4, x_dims, dnnl_f32, dnnl_nhwc) != dnnl_success ||
      api.dnnl_memory_desc_init_by_tag(&y_md, 4, y_dims, dnnl_f32, dnnl_nhwc) != dnnl_success ||
      api.dnnl_memory_desc_init_by_tag(&c->user_w, 4, w_dims, dnnl_f32, dnnl_hwio) != dnnl_success ||
      api.dnnl_memory_desc_init_by_tag(&w_any, 4, w_dims, dnnl_f32, dnnl_format_tag_any) != dnnl_success)
    return false;
  // The filters' layout is left to oneDNN: with NHWC activations its GEMM-based kernels were
  // twice as fast on filters of its own layout as on [KH, KW, CI, CO] (vgg-lite, AVX-512 Xeon).
  dnnl_convolution_desc_t fwd, bwd_data, bwd_weights;
  if (api.dnnl_dilated_convolution_forward_desc_init(&fwd, dnnl_forward_training, dnnl_convolution_direct, &x_md, &w_any, nullptr,
                                                     &y_md, strides, dilates, pad_l, pad_r) != dnnl_success ||
      api.dnnl_dilated_convolution_backward_data_desc_init(&bwd_data, dnnl_convolution_direct, &x_md, &w_any, &y_md, strides,
                                                           dilates, pad_l, pad_r) != dnnl_success ||
      api.dnnl_dilated_convolution_backward_weights_desc_init(&bwd_weights, dnnl_convolution_direct, &x_md, &w_any, nullptr, &y_md,
                                                              strides, dilates, pad_l, pad_r) != dnnl_success)
    return false;
  dnnl_primitive_desc_t fwd_pd = nullptr, bwd_data_pd = nullptr, bwd_weights_pd = nullptr;
  bool ok = api.dnnl_primitive_desc_create(&fwd_pd, &fwd, nullptr, s.engine, nullptr) == dnnl_success &&
            api.dnnl_primitive_desc_create(&bwd_data_pd, &bwd_data, nullptr, s.engine, fwd_pd) == dnnl_success &&
            api.dnnl_primitive_desc_create(&bwd_weights_pd, &bwd_weights, nullptr, s.engine, fwd_pd) == dnnl_success;
  if (ok) {
    c->fwd_w = *api.dnnl_primitive_desc_query_md(fwd_pd, dnnl_query_weights_md, 0);
    c->bwd_data_w = *api.dnnl_primitive_desc_query_md(bwd_data_pd, dnnl_query_weights_md, 0);
    c->bwd_weights_w = *api.dnnl_primitive_desc_query_md(bwd_weights_pd, dnnl_query_diff_weights_md, 0);
    ok = api.dnnl_primitive_create(&c->forward, fwd_pd) == dnnl_success &&
         api.dnnl_primitive_create(&c->backward_data, bwd_data_pd) == dnnl_success &&
         api.dnnl_primitive_create(&c->backward_weights, bwd_weights_pd) == dnnl_success &&
         Reorder(s.engine, &c->user_w, &c->fwd_w, &c->to_fwd_w) && Reorder(s.engine, &c->user_w, &c->bwd_data_w, &c->to_bwd_data_w) &&
         Reorder(s.engine, &c->bwd_weights_w, &c->user_w, &c->from_bwd_weights_w) &&
         api.dnnl_memory_create(&c->x, &x_md, s.engine, DNNL_MEMORY_NONE) == dnnl_success &&
         api.dnnl_memory_create(&c->y, &y_md, s.engine, DNNL_MEMORY_NONE) == dnnl_success &&
         api.dnnl_memory_create(&c->w_user, &c->user_w, s.engine, DNNL_MEMORY_NONE) == dnnl_success &&
         (!c->to_fwd_w || FilterMemory(s.engine, &c->fwd_w, &c->w_fwd_buffer, &c->w_fwd)) &&
         (!c->to_bwd_data_w || FilterMemory(s.engine, &c->bwd_data_w, &c->w_bwd_data_buffer, &c->w_bwd_data)) &&
         (!c->from_bwd_weights_w || FilterMemory(s.engine, &c->bwd_weights_w, &c->w_bwd_weights_buffer, &c->w_bwd_weights));
  }
  for (dnnl_primitive_desc_t pd : {fwd_pd, bwd_data_pd, bwd_weights_pd})
    if (pd) api.dnnl_primitive_desc_destroy(pd);
  return ok;
}

// The primitives of this thread for this geometry, built on first use; null when oneDNN is not
// loaded (or turned off) or has none for it.
Conv* ConvFor(const Dims& d) {
  if (!DnnlLoaded()) return nullptr;
  ThreadState& s = State();
  if (!s.ready) return nullptr;
  const DimsKey key = KeyOf(d);
  if (s.convs.size() >= kMaxGeometries && !s.convs.count(key)) s.convs.clear();
  auto& slot = s.convs[key];
  if (!slot) {
    slot = std::make_unique<Conv>();
    slot->ok = Build(s, d, slot.get());
  }
  return slot->ok ? slot.get() : nullptr;
}

bool Run(dnnl_primitive_t primitive, std::initializer_list<dnnl_exec_arg_t> args) {
  Api& api = Dnnl();
  ThreadState& s = State();
  return api.dnnl_primitive_execute(primitive, s.stream, static_cast<int>(args.size()), args.begin()) == dnnl_success &&
         api.dnnl_stream_wait(s.stream) == dnnl_success;
}

// Sets the filters' memory from the caller's array and returns the memory the primitive reads.
dnnl_memory_t FiltersIn(Conv* c, const float* w, dnnl_primitive_t reorder, dnnl_memory_t converted) {
  Dnnl().dnnl_memory_set_data_handle(c->w_user, const_cast<float*>(w));
  if (!reorder) return c->w_user;
  return Run(reorder, {{DNNL_ARG_FROM, c->w_user}, {DNNL_ARG_TO, converted}}) ? converted : nullptr;
}

bool Counted(bool ran) {
  if (ran) ++Dnnl().convolutions;
  return ran;
}

}  // namespace

const char* LoadDnnl(int threads) {
  static std::once_flag once;
  std::call_once(once, Load, threads);
  return Dnnl().loaded ? nullptr : Dnnl().error.c_str();
}

void SetDnnlThreads(int threads) {
  Api& api = Dnnl();
  api.threads = threads;
  if (api.loaded && api.omp_set_num_threads) api.omp_set_num_threads(threads);
}

void UseDnnl(bool on) { Dnnl().enabled = on; }
long DnnlConvolutions() { return Dnnl().convolutions; }
bool DnnlLoaded() { return Dnnl().loaded && Dnnl().enabled; }
const char* DnnlDescription() { return Dnnl().description.c_str(); }

bool DnnlConv2DForward(const float* x, const float* w, const Dims& d, float* y) {
  Conv* c = ConvFor(d);
  if (!c) return false;
  dnnl_memory_t weights = FiltersIn(c, w, c->to_fwd_w, c->w_fwd);
  if (!weights) return false;
  Dnnl().dnnl_memory_set_data_handle(c->x, const_cast<float*>(x));
  Dnnl().dnnl_memory_set_data_handle(c->y, y);
  return Counted(Run(c->forward, {{DNNL_ARG_SRC, c->x}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, c->y}}));
}

bool DnnlConv2DBackpropInput(const float* dy, const float* w, const Dims& d, float* dx) {
  Conv* c = ConvFor(d);
  if (!c) return false;
  dnnl_memory_t weights = FiltersIn(c, w, c->to_bwd_data_w, c->w_bwd_data);
  if (!weights) return false;
  Dnnl().dnnl_memory_set_data_handle(c->y, const_cast<float*>(dy));
  Dnnl().dnnl_memory_set_data_handle(c->x, dx);
  return Counted(Run(c->backward_data, {{DNNL_ARG_DIFF_DST, c->y}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, c->x}}));
}

bool DnnlConv2DBackpropFilter(const float* x, const float* dy, const Dims& d, float* dw) {
  Conv* c = ConvFor(d);
  if (!c) return false;
  Dnnl().dnnl_memory_set_data_handle(c->x, const_cast<float*>(x));
  Dnnl().dnnl_memory_set_data_handle(c->y, const_cast<float*>(dy));
  Dnnl().dnnl_memory_set_data_handle(c->w_user, dw);
  dnnl_memory_t out = c->from_bwd_weights_w ? c->w_bwd_weights : c->w_user;
  if (!Run(c->backward_weights, {{DNNL_ARG_SRC, c->x}, {DNNL_ARG_DIFF_DST, c->y}, {DNNL_ARG_DIFF_WEIGHTS, out}})) return false;
  return Counted(!c->from_bwd_weights_w || Run(c->from_bwd_weights_w, {{DNNL_ARG_FROM, c->w_bwd_weights}, {DNNL_ARG_TO, c->w_user}}));
}

#endif

}  // namespace moodlab
