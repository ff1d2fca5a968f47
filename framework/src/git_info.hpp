#pragma once
namespace genlab {
/// The git commit genlab was built from ("abc123", "abc123-dirty" or "unknown"); regenerated every build.
const char* genlab_git_commit();
}  // namespace genlab
