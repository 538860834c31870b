package dev.tailor.artifacts.dataset;

import java.awt.image.BufferedImage;

/**
 * One image of a dataset.
 *
 * @param name its path within the folder or archive, e.g. {@code circles/0001.png}
 * @param image RGB ({@link BufferedImage#TYPE_INT_RGB}), square, of the requested size
 */
public record DatasetImage(String name, BufferedImage image) {}
