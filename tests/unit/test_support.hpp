#pragma once
// Shared helpers for the framework's unit tests: a registry loaded from the real plugin libraries.
#include <string>

#include "registry.hpp"

namespace genlab::testing {

/// The streams plugin and the testkit probe, loaded through the real loader (built .so files).
inline const Registry& test_registry() {
  static const Registry reg = [] {
    Registry r;
    register_builtins(r);
    load_plugins(r, {GENLAB_PLUGIN_DIR, GENLAB_TEST_PLUGIN_DIR});
    return r;
  }();
  return reg;
}

}  // namespace genlab::testing
