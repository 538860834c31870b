package dev.tailor.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {

  @Test
  void shapesAreDeterministicAndInRange() {
    ShapesDataset a = new ShapesDataset(32, 10, 7);
    ShapesDataset b = new ShapesDataset(32, 10, 7);
    ShapesDataset other = new ShapesDataset(32, 10, 8);
    assertThat(a.image(3)).containsExactly(b.image(3));
    assertThat(a.image(3)).isNotEqualTo(other.image(3));
    for (float v : a.image(5)) {
      assertThat(v).isBetween(-1f, 1f);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray batch = a.batch(m, new int[] {0, 4, 9});
      assertThat(batch.getShape()).isEqualTo(new Shape(3, 3, 32, 32));
    }
  }

  @Test
  void anImageFolderBecomesTrainingBatches(@TempDir Path dir) throws Exception {
    ShapesDataset shapes = new ShapesDataset(24, 3, 1);
    for (int i = 0; i < 3; i++) {
      ImageIO.write(shapes.render(i), "png", dir.resolve("img" + i + ".png").toFile());
    }
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    ImageSource source = ImageDatasets.open(dir.toUri().toString(), 16, 100, 0);
    assertThat(source.size()).isEqualTo(3);
    assertThat(source.imageSize()).isEqualTo(16);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(source.batch(m, new int[] {0, 2}).getShape()).isEqualTo(new Shape(2, 3, 16, 16));
    }
  }
}
