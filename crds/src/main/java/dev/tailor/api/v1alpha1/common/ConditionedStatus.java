package dev.tailor.api.v1alpha1.common;

import java.util.List;

/** A status with {@code observedGeneration} and Kubernetes-style conditions. */
public interface ConditionedStatus {

  Long getObservedGeneration();

  void setObservedGeneration(Long observedGeneration);

  List<Condition> getConditions();

  void setConditions(List<Condition> conditions);
}
