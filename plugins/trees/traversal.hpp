#pragma once
// The four traversal orders, each by recursion, by an explicit stack (a queue for level order), by the
// colour-marking iteration (a stack of (node, visited?) pairs: a node is pushed white, and when popped
// white it is pushed back grey among its children in the reverse of the order wanted; popped grey it is
// output), and by Morris threading (O(1) extra space: the tree's empty right links are borrowed and
// given back). Level order has no colour-marking or Morris form: asking for one is NotSupported.
#include <cstdint>
#include <string>
#include <vector>

#include "tree.hpp"

namespace genlab::trees {

enum class Order { Pre, In, Post, Level };
enum class Method { Recursive, Iterative, Colour, Morris };

Order order_from_name(const std::string& s);
Method method_from_name(const std::string& s);
const char* name_of(Order o);
const char* name_of(Method m);
bool supported(Order o, Method m);

struct TraversalStats {
  std::int64_t peak_entries = 0;     ///< deepest recursion, or largest stack / queue
  std::int64_t bytes_per_entry = 0;  ///< a stack entry's size; for recursion, the measured frame size
};

/// The values in visit order. Morris modifies the tree during the walk and restores it (hence non-const).
/// Recursion deeper than `max_depth` throws Error (before the thread's stack could overflow).
std::vector<std::int64_t> traverse(Tree& t, Order o, Method m, std::int64_t max_depth, TraversalStats* stats = nullptr);

}  // namespace genlab::trees
