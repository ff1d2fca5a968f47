#pragma once
// Graphs for code that evaluates a model from several threads at once (log-likelihood estimates run on
// oneTBB): each call leases a graph of its own and gives it back, so the graphs' buffers are reused from
// call to call instead of being allocated and page-faulted again (at 8192 x 784 floats a node, the
// kernel's page faults cost more than the arithmetic). A lease is exclusive, which a thread_local graph
// would not be: oneTBB may run another task on the same thread while this one waits.
#include <memory>
#include <mutex>
#include <vector>

#include "genlab/ad/graph.hpp"

namespace genlab::ad {

template <class T>
class GraphPool {
 public:
  class Lease {
   public:
    Lease(GraphPool& pool, std::unique_ptr<Graph<T>> g) : pool_(&pool), g_(std::move(g)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (g_) pool_->give_back(std::move(g_));
    }
    Graph<T>& operator*() const { return *g_; }
    Graph<T>* operator->() const { return g_.get(); }

   private:
    GraphPool* pool_;
    std::unique_ptr<Graph<T>> g_;
  };

  /// A reset graph with gradients disabled (evaluation).
  Lease lease() {
    std::unique_ptr<Graph<T>> g;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        g = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!g) g = std::make_unique<Graph<T>>();
    g->reset();
    g->set_grad_enabled(false);
    return Lease(*this, std::move(g));
  }

 private:
  void give_back(std::unique_ptr<Graph<T>> g) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(g));
  }
  std::mutex mutex_;
  std::vector<std::unique_ptr<Graph<T>>> free_;
};

}  // namespace genlab::ad
