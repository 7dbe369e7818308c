//===- Threads.cpp - how many cores compiled code uses --------------------===//

#include "vsla/runtime/Threads.h"
#include "vsla/runtime/Gemm.h"

#include <atomic>
#include <dlfcn.h>
#include <cstdlib>
#include <mutex>
#include <sched.h>
#include <thread>

namespace vsla::rt {
namespace {

std::atomic<int> numThreads{0};

int getAvailableCores() {
  cpu_set_t cores;
  if (sched_getaffinity(0, sizeof(cores), &cores) == 0 && CPU_COUNT(&cores) > 0)
    return CPU_COUNT(&cores);
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware ? static_cast<int>(hardware) : 1;
}

/// VSLA_NUM_THREADS when it is a positive number, else every core.
int getDefaultThreads() {
  if (const char *setting = std::getenv("VSLA_NUM_THREADS")) {
    char *end = nullptr;
    long value = std::strtol(setting, &end, 10);
    if (end != setting && *end == '\0' && value > 0)
      return value > 1024 ? 1024 : static_cast<int>(value);
  }
  return getAvailableCores();
}

void applyThreads(int threads) {
  numThreads.store(threads);
  setBlasThreads(threads);
}

} // namespace

int getNumThreads() {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    if (numThreads.load() == 0)
      applyThreads(getDefaultThreads());
  });
  return numThreads.load();
}

void *findOpenMpSymbol(const char *name) {
  void *libomp = dlopen("libomp.so.5", RTLD_NOW | RTLD_NOLOAD);
  if (!libomp)
    return nullptr;
  void *symbol = dlsym(libomp, name);
  dlclose(libomp); // drops the reference NOLOAD took; libomp stays loaded
  return symbol;
}

void setNumThreads(int threads) {
  getNumThreads();
  applyThreads(threads < 1 ? 1 : threads);
}

} // namespace vsla::rt

extern "C" int64_t __vsla_num_threads() { return vsla::rt::getNumThreads(); }
