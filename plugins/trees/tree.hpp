#pragma once
// Binary trees stored as arrays of child indices (no pointers, no recursive destruction: a 10^6-deep
// chain is as cheap to build and free as a balanced tree), with the builders the traversal runs use.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <genlab/rng.hpp>

namespace genlab::trees {

struct Tree {
  static constexpr std::int32_t kNone = -1;
  std::vector<std::int32_t> left, right;
  std::vector<std::int64_t> value;
  std::int32_t root = kNone;

  std::int32_t size() const { return std::int32_t(value.size()); }
  std::int32_t add(std::int64_t v);
  /// Height in nodes (0 for the empty tree), computed without recursion.
  std::int64_t height() const;
};

/// LeetCode's level-order form: values level by level, null for a missing child of a present node,
/// e.g. [1,null,2,3]. Throws ConfigError naming the token and its position for anything else.
Tree from_level_order(const std::string& text);
Tree from_level_order(const std::vector<std::optional<std::int64_t>>& values);
/// The complete binary tree of n nodes (values 0..n-1 in level order).
Tree balanced(std::int64_t n);
/// n distinct random keys inserted into a binary search tree, in random order (iterative inserts).
Tree random_bst(std::int64_t n, Rng& rng);
/// A chain of n nodes, each the left (or right) child of the previous one: depth n.
Tree chain(std::int64_t n, bool left);

}  // namespace genlab::trees
