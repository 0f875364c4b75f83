{
  "targets": [
    {
      "target_name": "moodlab_kernels",
      "sources": ["src/addon.cc", "src/conv.cc", "src/training-ops.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"]
    }
  ]
}
