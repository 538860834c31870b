package dev.tailor.worker.prune;

import dev.tailor.worker.model.ModelStats;
import dev.tailor.worker.model.UNetConfig;
import dev.tailor.worker.model.UNetLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The channel-dependency graph of a {@link UNetConfig}: which tensor dimensions must lose the same
 * channels. Each config width is a slot; slots joined by an identity skip or a removed block
 * (residual adds) form one coupled {@link Group}. A group's channels index the output dim of every
 * conv or linear writing it, the matching GroupNorm γ/β entries, and the input dim of every layer
 * reading it, at the right offset inside skip concatenations on the way up.
 *
 * <p>Pruning a group to a subset of its channels therefore keeps every tensor consistent; {@link
 * Pruner#extract} does the slicing. Fixed spaces (image channels, time embedding, attention inner
 * widths) are never pruned here; attention heads are removed whole by {@link Pruner#keepHeads}.
 */
public final class ChannelGraph {

  /** One tensor dimension segment that belongs to a group: {@code param[axis][offset + c]}. */
  public record Member(String param, int axis, int offset) {}

  /** A coupled set of slots, all of {@code width} channels. */
  public record Group(String id, int width, List<String> slots, List<Member> members) {}

  /** How one tensor dimension is made of slots (in order, with fixed slots left whole). */
  public record Segment(String slot, int width, boolean fixed) {}

  private final UNetConfig config;
  private final Map<String, Group> groups;
  private final Map<String, String> groupOfSlot;
  private final Map<String, List<List<Segment>>> layout;

  private ChannelGraph(
      UNetConfig config,
      Map<String, Group> groups,
      Map<String, String> groupOfSlot,
      Map<String, List<List<Segment>>> layout) {
    this.config = config;
    this.groups = groups;
    this.groupOfSlot = groupOfSlot;
    this.layout = layout;
  }

  public static ChannelGraph of(UNetConfig config) {
    Map<String, String> parent = new LinkedHashMap<>();
    Map<String, Integer> widths = new HashMap<>();
    Map<String, List<List<Segment>>> layout = new LinkedHashMap<>();
    new UNetLayout(config)
        .walk(
            new UNetLayout.Visitor() {
              @Override
              public void conv(
                  String name,
                  UNetLayout.Channels in,
                  UNetLayout.Slot out,
                  int kernel,
                  int stride,
                  int outSize) {
                List<Segment> o = segments(UNetLayout.Channels.of(out));
                layout.put(name + ".weight", List.of(o, segments(in), List.of(), List.of()));
                layout.put(name + ".bias", List.of(o));
              }

              @Override
              public void linear(String name, UNetLayout.Channels in, UNetLayout.Slot out) {
                List<Segment> o = segments(UNetLayout.Channels.of(out));
                layout.put(name + ".weight", List.of(o, segments(in)));
                layout.put(name + ".bias", List.of(o));
              }

              @Override
              public void groupNorm(String name, UNetLayout.Channels channels, int size) {
                layout.put(name + ".gamma", List.of(segments(channels)));
                layout.put(name + ".beta", List.of(segments(channels)));
              }

              @Override
              public void identity(UNetLayout.Slot a, UNetLayout.Slot b) {
                register(a);
                register(b);
                if (!a.fixed() && !b.fixed()) {
                  String ra = find(parent, a.id());
                  String rb = find(parent, b.id());
                  if (!ra.equals(rb)) {
                    parent.put(rb, ra);
                  }
                }
              }

              private List<Segment> segments(UNetLayout.Channels channels) {
                List<Segment> list = new ArrayList<>();
                for (UNetLayout.Slot s : channels.parts()) {
                  register(s);
                  list.add(new Segment(s.id(), s.width(), s.fixed()));
                }
                return list;
              }

              private void register(UNetLayout.Slot s) {
                if (!s.fixed()) {
                  parent.putIfAbsent(s.id(), s.id());
                  widths.put(s.id(), s.width());
                }
              }
            });
    Map<String, String> groupOfSlot = new LinkedHashMap<>();
    Map<String, List<String>> slotsOf = new LinkedHashMap<>();
    for (String slot : parent.keySet()) {
      String root = find(parent, slot);
      groupOfSlot.put(slot, root);
      slotsOf.computeIfAbsent(root, k -> new ArrayList<>()).add(slot);
    }
    Map<String, List<Member>> members = new LinkedHashMap<>();
    layout.forEach(
        (param, axes) -> {
          for (int axis = 0; axis < axes.size(); axis++) {
            int offset = 0;
            for (Segment s : axes.get(axis)) {
              if (!s.fixed()) {
                members
                    .computeIfAbsent(groupOfSlot.get(s.slot()), k -> new ArrayList<>())
                    .add(new Member(param, axis, offset));
              }
              offset += s.width();
            }
          }
        });
    Map<String, Group> groups = new LinkedHashMap<>();
    slotsOf.forEach(
        (root, slots) -> {
          int w = widths.get(root);
          for (String s : slots) {
            if (widths.get(s) != w) {
              throw new IllegalArgumentException("coupled slots " + slots + " differ in width");
            }
          }
          groups.put(
              root,
              new Group(
                  root, w, List.copyOf(slots), List.copyOf(members.getOrDefault(root, List.of()))));
        });
    if (!layout.keySet().equals(ModelStats.of(config).shapes().keySet())) {
      throw new IllegalStateException("channel graph and parameter list disagree");
    }
    return new ChannelGraph(
        config,
        Collections.unmodifiableMap(groups),
        groupOfSlot,
        Collections.unmodifiableMap(layout));
  }

  private static String find(Map<String, String> parent, String s) {
    String p = parent.get(s);
    while (!p.equals(parent.get(p))) {
      p = parent.get(p);
    }
    return p;
  }

  public UNetConfig config() {
    return config;
  }

  /** The prunable coupled groups, by id (the id of their first slot). */
  public Map<String, Group> groups() {
    return groups;
  }

  /** The group a config slot belongs to. */
  public String groupOf(String slot) {
    return groupOfSlot.get(slot);
  }

  /** For each parameter, the slot segments of each of its dimensions (empty: not sliced). */
  public Map<String, List<List<Segment>>> layout() {
    return layout;
  }
}
