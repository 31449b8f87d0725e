package org.adatoken3d.model.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code tokenizer.model} (a serialized {@code ModelProto}) that encoding and decoding
 * use. Field numbers and defaults are those of SentencePiece's {@code sentencepiece_model.proto}; fields this
 * engine does not need are skipped.
 *
 * @param pieces every piece in id order
 * @param modelType {@code TrainerSpec.model_type}: 1 unigram, 2 BPE, 3 word, 4 char
 * @param byteFallback whether characters outside the vocabulary become {@code <0xXX>} byte pieces
 * @param treatWhitespaceAsSuffix whether the space marker ends pieces instead of starting them
 * @param unkSurface what an unknown piece decodes to
 * @param bosPiece the piece that is BOS when it is a control piece
 * @param eosPiece the piece that is EOS when it is a control piece
 * @param normalizerName {@code NormalizerSpec.name}, e.g. {@code identity} or {@code nmt_nfkc}
 * @param charsMapBytes size of the precompiled normalization rules (0 for LLaMA's identity normalizer)
 */
record SentencePieceModel(
        List<Piece> pieces,
        int modelType,
        boolean byteFallback,
        boolean treatWhitespaceAsSuffix,
        String unkSurface,
        String bosPiece,
        String eosPiece,
        String normalizerName,
        int charsMapBytes,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean escapeWhitespaces) {

    static final int BPE = 2;

    /** {@code ModelProto.SentencePiece.Type}. */
    enum Type {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        static Type ofProto(int value) {
            return value >= 1 && value <= 6 ? values()[value - 1] : null;
        }
    }

    record Piece(String text, float score, Type type) {}

    /** Parses a serialized {@code ModelProto}; {@code file} names the source in errors. */
    static SentencePieceModel parse(Path file, byte[] bytes) {
        ProtobufReader model = new ProtobufReader(file, bytes, "ModelProto");
        List<Piece> pieces = new ArrayList<>();
        var spec = new Builder();
        while (model.hasMore()) {
            switch (model.nextField()) {
                case 1 -> {
                    model.expect(ProtobufReader.LENGTH_DELIMITED, "pieces");
                    String name = "ModelProto.pieces[" + pieces.size() + "]";
                    pieces.add(parsePiece(model.readMessage(name), name));
                }
                case 2 -> {
                    model.expect(ProtobufReader.LENGTH_DELIMITED, "trainer_spec");
                    spec.trainer(model.readMessage("TrainerSpec"));
                }
                case 3 -> {
                    model.expect(ProtobufReader.LENGTH_DELIMITED, "normalizer_spec");
                    spec.normalizer(model.readMessage("NormalizerSpec"));
                }
                default -> model.skipValue();
            }
        }
        return new SentencePieceModel(
                List.copyOf(pieces), spec.modelType, spec.byteFallback, spec.treatWhitespaceAsSuffix, spec.unkSurface,
                spec.bosPiece, spec.eosPiece, spec.normalizerName, spec.charsMapBytes, spec.addDummyPrefix,
                spec.removeExtraWhitespaces, spec.escapeWhitespaces);
    }

    private static Piece parsePiece(ProtobufReader r, String name) {
        String text = null;
        float score = 0;
        Type type = Type.NORMAL;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> {
                    r.expect(ProtobufReader.LENGTH_DELIMITED, "piece");
                    text = r.readString(name + ".piece");
                }
                case 2 -> {
                    r.expect(ProtobufReader.FIXED32, "score");
                    score = r.readFloat();
                }
                case 3 -> {
                    r.expect(ProtobufReader.VARINT, "type");
                    int value = r.readInt32();
                    type = Type.ofProto(value);
                    if (type == null) throw r.error(name + " has type " + value + ", which is not a SentencePiece piece type");
                }
                default -> r.skipValue();
            }
        }
        if (text == null || text.isEmpty()) throw r.error(name + " has an empty piece");
        return new Piece(text, score, type);
    }

    /** Proto2 defaults, overwritten by whatever the file sets. */
    private static final class Builder {
        int modelType = 1;
        boolean byteFallback;
        boolean treatWhitespaceAsSuffix;
        String unkSurface = " \u2047 ";
        String bosPiece = "<s>";
        String eosPiece = "</s>";
        String normalizerName = "";
        int charsMapBytes;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;

        void trainer(ProtobufReader r) {
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 3 -> {
                        r.expect(ProtobufReader.VARINT, "model_type");
                        modelType = r.readInt32();
                    }
                    case 24 -> {
                        r.expect(ProtobufReader.VARINT, "treat_whitespace_as_suffix");
                        treatWhitespaceAsSuffix = r.readBool();
                    }
                    case 35 -> {
                        r.expect(ProtobufReader.VARINT, "byte_fallback");
                        byteFallback = r.readBool();
                    }
                    case 44 -> {
                        r.expect(ProtobufReader.LENGTH_DELIMITED, "unk_surface");
                        unkSurface = r.readString("TrainerSpec.unk_surface");
                    }
                    case 46 -> {
                        r.expect(ProtobufReader.LENGTH_DELIMITED, "bos_piece");
                        bosPiece = r.readString("TrainerSpec.bos_piece");
                    }
                    case 47 -> {
                        r.expect(ProtobufReader.LENGTH_DELIMITED, "eos_piece");
                        eosPiece = r.readString("TrainerSpec.eos_piece");
                    }
                    default -> r.skipValue();
                }
            }
        }

        void normalizer(ProtobufReader r) {
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 1 -> {
                        r.expect(ProtobufReader.LENGTH_DELIMITED, "name");
                        normalizerName = r.readString("NormalizerSpec.name");
                    }
                    case 2 -> {
                        r.expect(ProtobufReader.LENGTH_DELIMITED, "precompiled_charsmap");
                        charsMapBytes = r.skipBytes();
                    }
                    case 3 -> {
                        r.expect(ProtobufReader.VARINT, "add_dummy_prefix");
                        addDummyPrefix = r.readBool();
                    }
                    case 4 -> {
                        r.expect(ProtobufReader.VARINT, "remove_extra_whitespaces");
                        removeExtraWhitespaces = r.readBool();
                    }
                    case 5 -> {
                        r.expect(ProtobufReader.VARINT, "escape_whitespaces");
                        escapeWhitespaces = r.readBool();
                    }
                    default -> r.skipValue();
                }
            }
        }
    }
}
