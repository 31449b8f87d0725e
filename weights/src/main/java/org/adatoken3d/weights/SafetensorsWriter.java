package org.adatoken3d.weights;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes safetensors files that the reference implementation accepts: an 8-byte little-endian header length, a
 * compact JSON header padded with spaces so the data section starts at a multiple of 8, then each tensor's bytes in
 * the order given, back to back (data_offsets relative to the data section).
 *
 * <p>Tensors are streamed one after another through their {@link DataWriter}, so a file may be far larger than
 * memory. The file is written through {@link AtomicFiles}: a failed write never leaves a truncated file under the final
 * name.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int BUFFER_BYTES = 1 << 20;

    private SafetensorsWriter() {}

    /** Writes {@code tensors} (in this order) to {@code out}; {@code __metadata__} is written when non-empty. */
    public static void write(Path out, Map<String, String> metadata, List<TensorSource> tensors) throws IOException {
        byte[] header = header(metadata, tensors);
        AtomicFiles.write(out, partial -> {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long total = 8 + header.length;
                for (TensorSource t : tensors) total += t.byteSize();
                CountingSink sink = new CountingSink(channel, total);
                sink.put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                sink.put(ByteBuffer.wrap(header));
                for (TensorSource t : tensors) {
                    long before = sink.count;
                    t.writer().writeTo(sink);
                    long produced = sink.count - before;
                    if (produced != t.byteSize()) {
                        throw new IllegalStateException("tensor " + t.name() + ": its writer produced " + produced
                                + " bytes, but shape " + Tensor.shapeString(t.shape()) + " of " + t.dtype()
                                + " needs " + t.byteSize());
                    }
                }
                sink.flush();
            }
        });
    }

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    static byte[] header(Map<String, String> metadata, List<TensorSource> tensors) {
        Set<String> names = new HashSet<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    if (e.getKey() == null || e.getValue() == null) {
                        throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
                    }
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (TensorSource t : tensors) {
                if (t.name().equals(SafetensorsHeader.METADATA_KEY)) {
                    throw new IllegalArgumentException("a tensor cannot be called " + SafetensorsHeader.METADATA_KEY);
                }
                if (!names.add(t.name())) throw new IllegalArgumentException("two tensors are called " + t.name());
                long end = Math.addExact(offset, t.byteSize());
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype().safetensorsName());
                long[] shape = t.shape();
                g.writeFieldName("shape");
                g.writeArray(shape, 0, shape.length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {offset, end}, 0, 2);
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        byte[] json = bytes.toByteArray();
        int padded = (json.length + 7) & ~7;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** Buffers small puts, passes large ones straight to the channel, and counts every byte. */
    private static final class CountingSink implements TensorSink {
        private final FileChannel channel;
        private final ByteBuffer buffer;
        long count;

        CountingSink(FileChannel channel, long expectedBytes) {
            this.channel = channel;
            // Direct buffers are costly to allocate; small files get a small one.
            this.buffer = ByteBuffer.allocateDirect(Math.clamp(expectedBytes, 64, BUFFER_BYTES));
        }

        @Override
        public void put(ByteBuffer bytes) throws IOException {
            count += bytes.remaining();
            if (bytes.remaining() > buffer.remaining()) {
                flush();
                if (bytes.remaining() >= buffer.capacity()) {
                    writeFully(bytes);
                    return;
                }
            }
            buffer.put(bytes);
        }

        @Override
        public void put(MemorySegment bytes) throws IOException {
            // A ByteBuffer holds at most 2 GiB, so big segments go in slices.
            long chunk = 1L << 30;
            for (long at = 0; at < bytes.byteSize(); at += chunk) {
                put(bytes.asSlice(at, Math.min(chunk, bytes.byteSize() - at)).asByteBuffer());
            }
        }

        void flush() throws IOException {
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
        }

        private void writeFully(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) channel.write(bytes);
        }
    }
}
