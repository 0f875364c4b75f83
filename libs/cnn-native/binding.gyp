{
  "targets": [
    {
      "target_name": "moodlab_kernels",
      "sources": ["src/addon.cc", "src/blas.cc", "src/conv.cc", "src/dnnl-conv.cc", "src/training-ops.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "libraries": ["-ldl"]
    }
  ]
}
