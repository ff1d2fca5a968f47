#include "genlab/subnormals.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define GENLAB_HAS_MXCSR 1
#endif

namespace genlab {

#ifdef GENLAB_HAS_MXCSR
namespace {
constexpr unsigned kFlushToZero = 1u << 15;      // MXCSR.FTZ: subnormal results become 0
constexpr unsigned kDenormalsAreZero = 1u << 6;  // MXCSR.DAZ: subnormal inputs read as 0
constexpr unsigned kBoth = kFlushToZero | kDenormalsAreZero;
}  // namespace

SubnormalsFlushed::SubnormalsFlushed() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kBoth); }
SubnormalsFlushed::~SubnormalsFlushed() { _mm_setcsr(saved_); }
bool SubnormalsFlushed::active() { return (_mm_getcsr() & kBoth) == kBoth; }
#else
SubnormalsFlushed::SubnormalsFlushed() : saved_(0) {}
SubnormalsFlushed::~SubnormalsFlushed() = default;
bool SubnormalsFlushed::active() { return false; }
#endif

}  // namespace genlab
