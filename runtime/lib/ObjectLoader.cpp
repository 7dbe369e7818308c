//===- ObjectLoader.cpp - loading relocatable object code -----------------===//

#include "vsla/runtime/ObjectLoader.h"

#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/FftConv.h"
#include "vsla/runtime/Gemm.h"
#include "vsla/runtime/StridedCopy.h"
#include "vsla/runtime/Threads.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#ifndef VSLA_OPENMP_LIBRARY
#define VSLA_OPENMP_LIBRARY "libomp.so.5"
#endif

namespace vsla::rt {

namespace {

Status malformed(const std::string &what) {
  return invalidArgument("the object code is malformed: " + what);
}

bool fits(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

uint64_t alignTo(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool isGotRelocation(uint32_t type) {
  return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
         type == R_X86_64_REX_GOTPCRELX;
}

/// The entries of a relocation section whose bounds were checked.
std::vector<Elf64_Rela> readRelocations(const uint8_t *bytes,
                                        const Elf64_Shdr &section) {
  std::vector<Elf64_Rela> relocations(section.sh_size / sizeof(Elf64_Rela));
  if (!relocations.empty())
    std::memcpy(relocations.data(), bytes + section.sh_offset,
                relocations.size() * sizeof(Elf64_Rela));
  return relocations;
}

/// A 16-byte jump to an absolute address: `jmp *0(%rip)` then the address.
constexpr size_t kStubSize = 16;

} // namespace

LoadedObject::~LoadedObject() {
  // In reverse order of the array, as the dynamic linker runs them.
  for (auto it = finalizers.rbegin(); it != finalizers.rend(); ++it)
    (*it)();
  if (mapping)
    munmap(mapping, mappingSize);
}

void *LoadedObject::lookup(const std::string &name) const {
  auto found = symbols.find(name);
  return found == symbols.end() ? nullptr : found->second;
}

StatusOr<std::unique_ptr<LoadedObject>>
LoadedObject::load(const void *data, size_t size, const SymbolResolver &resolve,
                   bool runInitializers) {
  const auto *bytes = static_cast<const uint8_t *>(data);
  Elf64_Ehdr header;
  if (size < sizeof(header))
    return malformed("it is shorter than an ELF header");
  std::memcpy(&header, bytes, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return malformed("it is not ELF");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_type != ET_REL)
    return malformed("it is not a little-endian 64-bit relocatable object");
  if (header.e_machine != EM_X86_64)
    return invalidArgument("the object code is for machine " +
                           std::to_string(header.e_machine) +
                           ", this runtime runs x86-64 code");
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0 ||
      !fits(header.e_shoff, uint64_t(header.e_shnum) * sizeof(Elf64_Shdr), size))
    return malformed("its section table is out of bounds");
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  std::memcpy(sections.data(), bytes + header.e_shoff,
              sections.size() * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr &section : sections)
    if (section.sh_type != SHT_NOBITS && section.sh_type != SHT_NULL &&
        !fits(section.sh_offset, section.sh_size, size))
      return malformed("a section lies outside the file");

  // The symbol table and its names.
  size_t symtabIndex = sections.size();
  for (size_t i = 0; i < sections.size(); ++i)
    if (sections[i].sh_type == SHT_SYMTAB) {
      symtabIndex = i;
      break;
    }
  if (symtabIndex == sections.size())
    return malformed("it has no symbol table");
  const Elf64_Shdr &symtab = sections[symtabIndex];
  // At least the null symbol every ELF symbol table starts with.
  if (symtab.sh_entsize != sizeof(Elf64_Sym) || symtab.sh_size == 0 ||
      symtab.sh_size % sizeof(Elf64_Sym) != 0 ||
      symtab.sh_link >= sections.size() ||
      sections[symtab.sh_link].sh_type != SHT_STRTAB)
    return malformed("its symbol table is inconsistent");
  const Elf64_Shdr &strtab = sections[symtab.sh_link];
  const char *names = reinterpret_cast<const char *>(bytes + strtab.sh_offset);
  size_t symbolCount = symtab.sh_size / sizeof(Elf64_Sym);
  std::vector<Elf64_Sym> syms(symbolCount);
  std::memcpy(syms.data(), bytes + symtab.sh_offset, symtab.sh_size);
  auto nameOf = [&](const Elf64_Sym &sym) -> StatusOr<std::string> {
    if (sym.st_name >= strtab.sh_size)
      return malformed("a symbol name is out of bounds");
    const char *name = names + sym.st_name;
    size_t length = strnlen(name, strtab.sh_size - sym.st_name);
    if (length == strtab.sh_size - sym.st_name)
      return malformed("a symbol name is not terminated");
    return std::string(name, length);
  };

  // The relocation sections that apply to loaded sections; GOT slots and
  // stubs they need.
  std::vector<size_t> relocationSections;
  std::vector<int64_t> gotSlot(symbolCount, -1), stubSlot(symbolCount, -1);
  size_t gotCount = 0, stubCount = 0;
  for (size_t i = 0; i < sections.size(); ++i) {
    const Elf64_Shdr &section = sections[i];
    if (section.sh_type == SHT_REL)
      return malformed("it uses REL relocations (x86-64 objects use RELA)");
    if (section.sh_type != SHT_RELA)
      continue;
    if (section.sh_info >= sections.size() ||
        !(sections[section.sh_info].sh_flags & SHF_ALLOC))
      continue; // relocations of debug information
    if (section.sh_entsize != sizeof(Elf64_Rela) ||
        section.sh_size % sizeof(Elf64_Rela) != 0 ||
        section.sh_link != symtabIndex)
      return malformed("relocation section " + std::to_string(i) +
                       " is inconsistent");
    relocationSections.push_back(i);
    for (const Elf64_Rela &rela : readRelocations(bytes, section)) {
      uint64_t sym = ELF64_R_SYM(rela.r_info);
      uint32_t type = ELF64_R_TYPE(rela.r_info);
      if (sym >= symbolCount)
        return malformed("a relocation names a missing symbol");
      if (isGotRelocation(type) && gotSlot[sym] < 0)
        gotSlot[sym] = static_cast<int64_t>(gotCount++);
      if (type == R_X86_64_PLT32 && syms[sym].st_shndx == SHN_UNDEF &&
          stubSlot[sym] < 0)
        stubSlot[sym] = static_cast<int64_t>(stubCount++);
    }
  }

  // Layout: code, the jump stubs, then (from a page boundary) data and the
  // GOT.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::vector<uint64_t> placement(sections.size(), 0);
  std::vector<bool> loaded(sections.size(), false);
  uint64_t cursor = 0, stubsStart = 0, codeSize = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < sections.size(); ++i) {
      const Elf64_Shdr &section = sections[i];
      bool executable = section.sh_flags & SHF_EXECINSTR;
      if (!(section.sh_flags & SHF_ALLOC) || executable != (pass == 0))
        continue;
      uint64_t alignment = section.sh_addralign ? section.sh_addralign : 1;
      if ((alignment & (alignment - 1)) || alignment > page ||
          section.sh_size > (uint64_t(1) << 36))
        return malformed("section " + std::to_string(i) +
                         " has an unsupported alignment or size");
      cursor = alignTo(cursor, alignment);
      placement[i] = cursor;
      loaded[i] = true;
      cursor += section.sh_size;
    }
    if (pass == 0) {
      stubsStart = alignTo(cursor, kStubSize);
      codeSize = alignTo(stubsStart + stubCount * kStubSize, page);
      cursor = codeSize;
    }
  }
  uint64_t gotStart = alignTo(cursor, 8);
  uint64_t total = alignTo(gotStart + gotCount * 8, page);
  if (total > (uint64_t(1) << 32))
    return malformed("its sections need more than 4 GiB");
  if (total == 0)
    total = page;

  auto object = std::unique_ptr<LoadedObject>(new LoadedObject());
  void *mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED)
    return outOfMemory("cannot map " + std::to_string(total) +
                       " bytes for the object code");
  object->mapping = mapping;
  object->mappingSize = total;
  auto *base = static_cast<uint8_t *>(mapping);
  for (size_t i = 0; i < sections.size(); ++i)
    if (loaded[i] && sections[i].sh_type != SHT_NOBITS)
      std::memcpy(base + placement[i], bytes + sections[i].sh_offset,
                  sections[i].sh_size);

  // Symbol addresses.
  std::vector<uint64_t> address(symbolCount, 0);
  std::vector<bool> resolved(symbolCount, false);
  for (size_t s = 1; s < symbolCount; ++s) {
    const Elf64_Sym &sym = syms[s];
    auto name = nameOf(sym);
    if (!name.ok())
      return name.getStatus();
    unsigned binding = ELF64_ST_BIND(sym.st_info);
    if (sym.st_shndx == SHN_UNDEF) {
      if (name->empty())
        continue;
      void *target = resolve ? resolve(*name) : nullptr;
      if (!target)
        target = dlsym(RTLD_DEFAULT, name->c_str());
      if (!target && binding != STB_WEAK)
        return failedPrecondition(
            "the object code calls " + *name +
            ", which neither the runtime nor the process defines");
      address[s] = reinterpret_cast<uint64_t>(target);
      resolved[s] = true;
    } else if (sym.st_shndx == SHN_ABS) {
      address[s] = sym.st_value;
      resolved[s] = true;
    } else if (sym.st_shndx < sections.size()) {
      if (!loaded[sym.st_shndx])
        continue; // a symbol of a section that is not loaded
      if (sym.st_value > sections[sym.st_shndx].sh_size)
        return malformed("symbol " + *name + " lies outside its section");
      address[s] = reinterpret_cast<uint64_t>(base) + placement[sym.st_shndx] +
                   sym.st_value;
      resolved[s] = true;
      if ((binding == STB_GLOBAL || binding == STB_WEAK) && !name->empty())
        object->symbols[*name] = reinterpret_cast<void *>(address[s]);
    } else {
      return malformed("symbol " + *name + " has an unsupported section index");
    }
  }

  // Stubs and GOT.
  for (size_t s = 0; s < symbolCount; ++s) {
    if (stubSlot[s] >= 0) {
      uint8_t *stub = base + stubsStart + stubSlot[s] * kStubSize;
      const uint8_t jump[6] = {0xff, 0x25, 0, 0, 0, 0};
      std::memcpy(stub, jump, sizeof(jump));
      std::memcpy(stub + 6, &address[s], 8);
    }
    if (gotSlot[s] >= 0)
      std::memcpy(base + gotStart + gotSlot[s] * 8, &address[s], 8);
  }

  // Relocations.
  for (size_t index : relocationSections) {
    const Elf64_Shdr &section = sections[index];
    const Elf64_Shdr &target = sections[section.sh_info];
    if (target.sh_type == SHT_NOBITS)
      return malformed("relocations apply to a section without contents");
    for (const Elf64_Rela &rela : readRelocations(bytes, section)) {
      uint64_t sym = ELF64_R_SYM(rela.r_info);
      uint32_t type = ELF64_R_TYPE(rela.r_info);
      if (type == R_X86_64_NONE)
        continue;
      bool wide = type == R_X86_64_64 || type == R_X86_64_PC64;
      if (!fits(rela.r_offset, wide ? 8 : 4, target.sh_size))
        return malformed("a relocation lies outside its section");
      if (sym != 0 && !resolved[sym])
        return malformed("a relocation names a symbol of a section that is "
                         "not loaded");
      uint8_t *where = base + placement[section.sh_info] + rela.r_offset;
      auto P = reinterpret_cast<uint64_t>(where);
      uint64_t S = address[sym];
      auto A = static_cast<uint64_t>(rela.r_addend);
      int64_t value;
      switch (type) {
      case R_X86_64_64: {
        uint64_t v = S + A;
        std::memcpy(where, &v, 8);
        continue;
      }
      case R_X86_64_PC64: {
        uint64_t v = S + A - P;
        std::memcpy(where, &v, 8);
        continue;
      }
      case R_X86_64_PLT32:
        if (stubSlot[sym] >= 0)
          S = reinterpret_cast<uint64_t>(base + stubsStart +
                                         stubSlot[sym] * kStubSize);
        value = static_cast<int64_t>(S + A - P);
        break;
      case R_X86_64_PC32:
        value = static_cast<int64_t>(S + A - P);
        break;
      case R_X86_64_GOTPCREL:
      case R_X86_64_GOTPCRELX:
      case R_X86_64_REX_GOTPCRELX:
        value = static_cast<int64_t>(
            reinterpret_cast<uint64_t>(base + gotStart + gotSlot[sym] * 8) + A -
            P);
        break;
      case R_X86_64_32:
        if (S + A > UINT32_MAX)
          return invalidArgument("the object code is not position-independent "
                                 "(an absolute 32-bit address); compile it "
                                 "with the PIC relocation model");
        value = static_cast<int64_t>(static_cast<int32_t>(S + A));
        break;
      case R_X86_64_32S:
        value = static_cast<int64_t>(S + A);
        break;
      default:
        return invalidArgument("the object code uses relocation type " +
                               std::to_string(type) +
                               ", which this loader does not support");
      }
      if (value < INT32_MIN || value > INT32_MAX) {
        if (type == R_X86_64_32)
          value = static_cast<int32_t>(value);
        else
          return invalidArgument("a relocation of the object code does not "
                                 "fit in 32 bits; compile it with the PIC "
                                 "relocation model and the small code model");
      }
      auto v32 = static_cast<int32_t>(value);
      std::memcpy(where, &v32, 4);
    }
  }

  if (mprotect(base, codeSize, PROT_READ | PROT_EXEC) != 0)
    return internalError("cannot make the object code executable");

  // Initializers (global constructors), in order; the finalizers run when
  // the object goes.
  for (size_t i = 0; i < sections.size() && runInitializers; ++i) {
    if (!loaded[i] || (sections[i].sh_type != SHT_INIT_ARRAY &&
                       sections[i].sh_type != SHT_FINI_ARRAY))
      continue;
    for (uint64_t offset = 0; offset + 8 <= sections[i].sh_size; offset += 8) {
      void (*function)();
      std::memcpy(&function, base + placement[i] + offset, 8);
      if (!function)
        continue;
      if (sections[i].sh_type == SHT_INIT_ARRAY)
        function();
      else
        object->finalizers.push_back(function);
    }
  }
  return object;
}

bool loadOpenMpRuntime() {
  static bool loaded = [] {
    // Idle workers sleep after 1 ms instead of spinning for 200: between
    // parallel loops the cores go to BLAS threads and the caller.
    if (!std::getenv("KMP_BLOCKTIME"))
      setenv("KMP_BLOCKTIME", "1", /*overwrite=*/0);
    if (const char *path = std::getenv("VSLA_OPENMP_LIBRARY"))
      if (dlopen(path, RTLD_NOW | RTLD_GLOBAL))
        return true;
    if (dlopen("libomp.so.5", RTLD_NOW | RTLD_GLOBAL))
      return true;
    // Shipped beside the program (or in its ../lib): a machine without
    // LLVM runs artifacts with the runtime and libomp copied next to it.
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&loadOpenMpRuntime), &info) &&
        info.dli_fname) {
      std::string dir = info.dli_fname;
      dir = dir.substr(0, dir.rfind('/') == std::string::npos ? 0
                                                               : dir.rfind('/'));
      for (const char *relative : {"/libomp.so.5", "/../lib/libomp.so.5"})
        if (!dir.empty() &&
            dlopen((dir + relative).c_str(), RTLD_NOW | RTLD_GLOBAL))
          return true;
    }
    return dlopen(VSLA_OPENMP_LIBRARY, RTLD_NOW | RTLD_GLOBAL) != nullptr;
  }();
  return loaded;
}

const std::unordered_map<std::string, void *> &getRuntimeSymbols() {
  static const auto *symbols = new std::unordered_map<std::string, void *>{
      {"_mlir_memref_to_llvm_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_alloc)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_aligned_alloc)},
      {"_mlir_memref_to_llvm_free",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_free)},
      {"memrefCopy", reinterpret_cast<void *>(&memrefCopy)},
      {"__vsla_check_failed", reinterpret_cast<void *>(&__vsla_check_failed)},
      {"__vsla_num_threads", reinterpret_cast<void *>(&__vsla_num_threads)},
      {"__vsla_map_item", reinterpret_cast<void *>(&__vsla_map_item)},
      {"_mlir_ciface___vsla_fft_conv_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_fft_conv_f32)},
      {"_mlir_ciface___vsla_fft_conv_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_fft_conv_f64)},
      {"_mlir_ciface___vsla_gemm_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_gemm_f32)},
      {"_mlir_ciface___vsla_gemm_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_gemm_f64)},
      {"_mlir_ciface___vsla_batch_gemm_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_batch_gemm_f32)},
      {"_mlir_ciface___vsla_batch_gemm_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_batch_gemm_f64)},
#define VSLA_MGPU(name) {#name, reinterpret_cast<void *>(&name)}
      VSLA_MGPU(mgpuModuleLoad),        VSLA_MGPU(mgpuModuleLoadJIT),
      VSLA_MGPU(mgpuModuleUnload),      VSLA_MGPU(mgpuModuleGetFunction),
      VSLA_MGPU(mgpuLaunchKernel),      VSLA_MGPU(mgpuStreamCreate),
      VSLA_MGPU(mgpuStreamDestroy),     VSLA_MGPU(mgpuStreamSynchronize),
      VSLA_MGPU(mgpuStreamWaitEvent),   VSLA_MGPU(mgpuEventCreate),
      VSLA_MGPU(mgpuEventDestroy),      VSLA_MGPU(mgpuEventSynchronize),
      VSLA_MGPU(mgpuEventRecord),       VSLA_MGPU(mgpuMemAlloc),
      VSLA_MGPU(mgpuMemFree),           VSLA_MGPU(mgpuMemcpy),
      VSLA_MGPU(mgpuMemset32),          VSLA_MGPU(mgpuMemset16),
      VSLA_MGPU(mgpuSetDefaultDevice),
      VSLA_MGPU(_mlir_ciface___vsla_cuda_gemm_f32),
      VSLA_MGPU(_mlir_ciface___vsla_cuda_gemm_f64),
      VSLA_MGPU(_mlir_ciface___vsla_cuda_batch_gemm_f32),
      VSLA_MGPU(_mlir_ciface___vsla_cuda_batch_gemm_f64),
#undef VSLA_MGPU
  };
  return *symbols;
}

void *resolveRuntimeSymbol(const std::string &name) {
  const auto &symbols = getRuntimeSymbols();
  auto found = symbols.find(name);
  if (found != symbols.end())
    return found->second;
  if (name.rfind("__kmpc_", 0) == 0 || name.rfind("omp_", 0) == 0) {
    if (!loadOpenMpRuntime())
      return nullptr;
    return findOpenMpSymbol(name.c_str());
  }
  return nullptr;
}

} // namespace vsla::rt
