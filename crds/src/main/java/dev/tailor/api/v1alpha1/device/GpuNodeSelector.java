package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/** Which nodes carry this hardware: a node matches when any term matches (OR of terms). */
@JsonClassDescription(
    "Which nodes carry this hardware: a node matches when any term matches (OR of terms).")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GpuNodeSelector {
  @JsonPropertyDescription("Selector terms, ORed; each term ANDs its requirements. At least one.")
  @Required
  @Size(min = 1, max = 16)
  private List<GpuNodeSelectorTerm> terms;

  public List<GpuNodeSelectorTerm> getTerms() {
    return terms;
  }

  public void setTerms(List<GpuNodeSelectorTerm> terms) {
    this.terms = terms;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || getClass() != o.getClass()) {
      return false;
    }
    GpuNodeSelector that = (GpuNodeSelector) o;
    return Objects.equals(terms, that.terms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(terms);
  }

  @Override
  public String toString() {
    return "GpuNodeSelector{" + "terms=" + terms + "}";
  }
}
