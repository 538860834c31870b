package dev.tailor.testbed;

/** The fresh namespace a {@link KubeTest} method runs in; deleted after the test. */
public record TestNamespace(String name) {}
