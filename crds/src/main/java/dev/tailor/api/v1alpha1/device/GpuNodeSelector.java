package dev.tailor.api.v1alpha1.device;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.ToString;

/** Which nodes carry this hardware: a node matches when any term matches (OR of terms). */
@JsonClassDescription(
    "Which nodes carry this hardware: a node matches when any term matches (OR of terms).")
@JsonInclude(JsonInclude.Include.NON_NULL)
@EqualsAndHashCode
@ToString
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
}
