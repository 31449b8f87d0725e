package org.adatoken3d.model.tokenizer;

import java.util.BitSet;

/**
 * How a vocabulary writes each id as bytes, which is all a decoder needs.
 *
 * @param bytes per id, the UTF-8 bytes it stands for: one raw byte for a byte-fallback piece, none for a control
 *     piece
 * @param dummySpaceCarriers the ids of text pieces whose leading space may be the encoder's dummy prefix (empty
 *     for vocabularies without one, such as byte-level BPE)
 * @param bos the id after which a new text starts, or {@link Tokenizer#NONE}
 */
record Spelling(byte[][] bytes, BitSet dummySpaceCarriers, int bos) {}
