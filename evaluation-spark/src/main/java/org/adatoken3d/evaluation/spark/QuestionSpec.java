package org.adatoken3d.evaluation.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.evaluation.run.QuestionSource;

/** Which question file(s) a job reads, in which format; read on the driver only. */
public record QuestionSpec(Format format, List<String> files, Integer limit) implements Serializable {
    public enum Format { SCANQA, SQA3D, LLAVA3D, SPATIAL_QA }

    public QuestionSpec {
        files = List.copyOf(files);
        if (files.size() != (format == Format.SQA3D ? 2 : 1)) {
            throw new IllegalArgumentException(format + " takes " + (format == Format.SQA3D ? 2 : 1) + " files, got " + files);
        }
    }

    public QuestionSource read() {
        Path first = Path.of(files.getFirst());
        QuestionSource source = switch (format) {
            case SCANQA -> QuestionSource.scanQa(first);
            case SQA3D -> QuestionSource.sqa3d(first, Path.of(files.get(1)));
            case LLAVA3D -> QuestionSource.llava3d(first);
            case SPATIAL_QA -> QuestionSource.spatialQa(first);
        };
        return source.first(limit);
    }
}
