#pragma once
// The plugin entry point. A plugin is a shared library exporting one C symbol, `genlab_plugin_entry`,
// returning a pointer to constant data: the descriptor. The host checks its leading fields (size, ABI
// version, build fingerprint) before it calls any C++ code of the plugin. Because the descriptor is a
// constant and plugins register nothing from static constructors, opening a library runs no plugin code.
//
//   void register_streams(genlab::Registrar& r) { r.add_algorithm<Median>("streaming_median", "...", schema()); }
//   GENLAB_PLUGIN(streams, "0.1.0", register_streams)
#include <cstdint>

#include "genlab/export.hpp"
#include "genlab/registrar.hpp"
#include "genlab/value.hpp"
#include "genlab/version.hpp"

extern "C" {
/// Layout rule: never reorder or remove the first two fields; bump kAbiVersion on any other change.
struct genlab_plugin_descriptor {
  std::uint32_t struct_size;  ///< sizeof(genlab_plugin_descriptor) as the plugin saw it
  std::uint32_t abi_version;  ///< genlab::kAbiVersion as the plugin saw it
  // Build fingerprint, evaluated in the plugin's translation unit:
  std::uint32_t cxx11_abi;         ///< _GLIBCXX_USE_CXX11_ABI (std::string layout)
  std::uint32_t sizeof_value;      ///< sizeof(genlab::Value)
  std::uint32_t sizeof_component;  ///< sizeof(genlab::ComponentInfo)
  std::uint32_t eigen_version;     ///< EIGEN_WORLD_VERSION * 10000 + MAJOR * 100 + MINOR
  std::uint32_t eigen_align;       ///< EIGEN_MAX_ALIGN_BYTES (differs with -mavx512f, -mavx, none)
  const char* compiler;            ///< informative only
  // Identity and registration:
  const char* name;
  const char* version;
  void (*register_components)(genlab::Registrar&);
};
}

namespace genlab::detail {
inline constexpr std::uint32_t kEigenVersion =
    EIGEN_WORLD_VERSION * 10000 + EIGEN_MAJOR_VERSION * 100 + EIGEN_MINOR_VERSION;
}

#define GENLAB_DETAIL_STR2(x) #x
#define GENLAB_DETAIL_STR(x) GENLAB_DETAIL_STR2(x)

#if defined(__clang__)
#define GENLAB_DETAIL_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define GENLAB_DETAIL_COMPILER "gcc " __VERSION__
#else
#define GENLAB_DETAIL_COMPILER "unknown"
#endif

/// Declares the plugin: NAME (an identifier, also the library name genlab_NAME.so), VERSION (a string),
/// REGISTER (a function void(genlab::Registrar&)).
#define GENLAB_PLUGIN(NAME, VERSION, REGISTER)                                                               \
  extern "C" GENLAB_EXPORT const genlab_plugin_descriptor* genlab_plugin_entry() noexcept {                  \
    static constexpr genlab_plugin_descriptor descriptor{sizeof(genlab_plugin_descriptor),                   \
                                                         ::genlab::kAbiVersion,                              \
                                                         static_cast<std::uint32_t>(_GLIBCXX_USE_CXX11_ABI), \
                                                         sizeof(::genlab::Value),                            \
                                                         sizeof(::genlab::ComponentInfo),                    \
                                                         ::genlab::detail::kEigenVersion,                    \
                                                         EIGEN_MAX_ALIGN_BYTES,                              \
                                                         GENLAB_DETAIL_COMPILER,                             \
                                                         GENLAB_DETAIL_STR(NAME),                            \
                                                         VERSION,                                            \
                                                         &REGISTER};                                         \
    return &descriptor;                                                                                      \
  }
