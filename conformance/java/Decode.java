// Decodes each file named on the command line with Java ImageIO (the JDK's own JPEG and PNG
// readers) into "<file>.imageio.raw" (width, height, channels as little-endian u32, then RGBA8)
// or "<file>.imageio.err". Run as a single-file program: `java Decode.java FILE...`.
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

public class Decode {
    public static void main(String[] args) throws Exception {
        for (String name : args) {
            try {
                BufferedImage image = ImageIO.read(new File(name));
                if (image == null) throw new Exception("no ImageIO reader for this file");
                write(name + ".imageio.raw", raw(image));
            } catch (Exception e) {
                write(name + ".imageio.err", String.valueOf(e).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static byte[] raw(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int channels = image.getColorModel().getNumComponents();
        ByteBuffer out = ByteBuffer.allocate(12 + w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(w).putInt(h).putInt(channels);
        boolean gray = channels <= 2;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (gray) {
                    // getRGB would pass gray through a linear-to-sRGB conversion: read the sample.
                    int g = image.getRaster().getSample(x, y, 0);
                    int a = channels == 2 ? image.getRaster().getSample(x, y, 1) : 255;
                    out.put((byte) g).put((byte) g).put((byte) g).put((byte) a);
                } else {
                    int argb = image.getRGB(x, y);
                    out.put((byte) (argb >> 16)).put((byte) (argb >> 8)).put((byte) argb)
                       .put((byte) (argb >>> 24));
                }
            }
        }
        return out.array();
    }

    static void write(String name, byte[] bytes) throws Exception {
        try (FileOutputStream f = new FileOutputStream(name)) {
            f.write(bytes);
        }
    }
}
