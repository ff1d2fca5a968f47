#pragma once
// Named crash points for fault tests. With GENLAB_CRASH_AT=NAME (or NAME:K, the K-th time it is reached),
// the process calls _exit(86) at that point: a deterministic stand-in for kill -9 at the worst moment.
namespace genlab {
void crash_point(const char* name);
}  // namespace genlab
