#!/usr/bin/env python3
"""Writes the expected values the evaluation module's metric tests compare against, from independent
implementations: NLTK 3.8 (Debian python3-nltk) for BLEU, METEOR, the Porter stemmer and WordNet look-ups, with
WordNet 3.0 from Debian wordnet-base; Stanford CoreNLP 3.4.1's PTBTokenizer (Maven Central
edu.stanford.nlp:stanford-corenlp:3.4.1, the jar pycocoevalcap runs) for tokenisation.

    apt-get install python3-nltk wordnet-base
    mvn dependency:get -Dartifact=edu.stanford.nlp:stanford-corenlp:3.4.1 -Dtransitive=false
    /usr/bin/python3 evaluation/python/make_metric_fixtures.py \
        --corenlp ~/.m2/repository/edu/stanford/nlp/stanford-corenlp/3.4.1/stanford-corenlp-3.4.1.jar \
        --out evaluation/src/test/resources/org/adatoken3d/evaluation/metrics

The inputs are generated from a fixed seed, so a rerun writes the same files.
"""
import argparse
import warnings
import gzip
import json
import os
import random
import re
import subprocess
import tempfile

# Debian's wordnet-base lacks the "lexnames" file NLTK's reader opens; its content is the table in the lexnames(5WN)
# manual page that the same package installs, so it is rebuilt from there into a private nltk_data folder.
def wordnet_data_dir():
    root = tempfile.mkdtemp(prefix="nltk_data_")
    wn = os.path.join(root, "corpora", "wordnet")
    os.makedirs(wn)
    for name in os.listdir("/usr/share/wordnet"):
        os.symlink(os.path.join("/usr/share/wordnet", name), os.path.join(wn, name))
    categories = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
    with gzip.open("/usr/share/man/man5/lexnames.5WN.gz", "rt") as man, open(os.path.join(wn, "lexnames"), "w") as out:
        for line in man:
            m = re.match(r"^(\d\d)\t(\S+)", line)
            if m:
                out.write("%s\t%s\t%d\n" % (m.group(1), m.group(2), categories[m.group(2).split(".")[0]]))
    return root

os.environ["NLTK_DATA"] = wordnet_data_dir()
from nltk.corpus import wordnet  # noqa: E402
from nltk.stem.porter import PorterStemmer  # noqa: E402
from nltk.translate.bleu_score import corpus_bleu  # noqa: E402
from nltk.translate.meteor_score import meteor_score  # noqa: E402

# Words of the kind ScanQA and SQA3D answers use, with inflections and WordNet synonyms among them.
VOCAB = """a the on in of to by at near next beside behind under above left right side front back corner middle center
wall floor ceiling door window table tables desk desks chair chairs sofa couch couches bed beds lamp lamps light lights
cabinet cabinets cupboard shelf shelves bookshelf trash garbage bin bins can cans sink basin toilet bathtub tub mirror
monitor monitors screen television TV keyboard computer laptop pillow pillows cushion rug carpet curtain curtains
brown dark light white black gray grey blue red green yellow wooden wood metal round square rectangular small large big
tall short two three four five one zero sitting standing lying running ran facing turned open closed stacked hanging
kitchen bedroom bathroom living room office counter stove refrigerator fridge microwave oven box boxes bag bags
backpack picture pictures painting frame radiator heater fan plant plants flower bottle bottles cup mug towel towels
clothes jacket coat hat shoe shoes it's isn't don't can't o'clock twenty-three left-hand 3:30 1,000""".split()

PUNCTUATIONS = ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]

TRICKY = [
    "it's the chair's leg, isn't it", "o'clock  twenty-three", "3:30 a:b :x", "brown--wood - x", "don't can't cannot",
    "a,b 1,000 1,2 ,,", "dogs' toys", "gonna wanna gotta lemme gimme", "ta-da - -- --- ----", "1-2 -3 3- a-",
    "TV left-hand side,right", "ma'am", "we're they've i'm he'd you'll", "on the left,", "between the bed and the wall",
    "the 90's", "x'y", "a' 'a", "'s", "zero", "", "  ", "left side of the room", "under the desk: near the chair",
]


def phrase(rng, lo=1, hi=8):
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(lo, hi)))


def stanford_tokens(jar, lines):
    # One line per input, as pycocoevalcap feeds its captions (-preserveLines keeps the lines apart).
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines))
        path = f.name
    out = subprocess.run(["java", "-cp", jar, "edu.stanford.nlp.process.PTBTokenizer", "-preserveLines", "-lowerCase", path],
                         check=True, capture_output=True, text=True).stdout
    os.remove(path)
    got = out.split("\n")
    return [got[i] if i < len(got) else "" for i in range(len(lines))]


class NoWordNet:
    """Stands in for WordNet so NLTK's METEOR runs its exact and stem stages only."""

    def synsets(self, word):
        return []


def main():
    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--corenlp", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(20240519)

    # Tokenisation: the tricky cases plus random phrases, some with punctuation glued on.
    texts = list(TRICKY)
    for _ in range(400):
        p = phrase(rng, 1, 10)
        if rng.random() < 0.4:
            words = p.split()
            k = rng.randrange(len(words))
            words[k] = words[k] + rng.choice([",", ":", "-", "'s", "'"])
            p = " ".join(words)
        texts.append(p.lower())
    raw = stanford_tokens(args.corenlp, [t if t.strip() else "x" for t in texts])
    ptb = []
    for text, line in zip(texts, raw):
        tokens = line.split(" ") if text.strip() else []
        ptb.append({"text": text, "tokens": [t for t in tokens if t], "kept": " ".join(t for t in tokens if t and t not in PUNCTUATIONS)})
    dump(args.out, "stanford_ptb_tokens.json", ptb)

    # BLEU: NLTK's corpus_bleu. Its denominators are max(1, count) per sentence where pycocoevalcap's are count, and
    # it has no 1e-15/1e-9 guards, so the cases keep every candidate at four tokens or more and every order matched.
    bleu = []
    while len(bleu) < 40:
        n = rng.randint(1, 6)
        cands, refs = [], []
        for _ in range(n):
            refs.append([phrase(rng, 2, 9).lower() for _ in range(rng.randint(1, 4))])
            base = rng.choice(refs[-1]).split()
            cand = [w if rng.random() < 0.7 else rng.choice(VOCAB).lower() for w in base] + phrase(rng, 0, 3).lower().split()
            cands.append(" ".join(cand) if len(cand) >= 4 else " ".join(cand + ["table"] * (4 - len(cand))))
        hyps = [c.split() for c in cands]
        lists = [[r.split() for r in rs] for rs in refs]
        try:
            scores = [corpus_bleu(lists, hyps, weights=tuple([1.0 / k] * k)) for k in range(1, 5)]
        except ZeroDivisionError:
            continue
        # NLTK reports an order without a single match as about 1e-100 (its float floor), not pycocoevalcap's ~1e-6.
        if min(scores) < 1e-50:
            continue
        bleu.append({"candidates": cands, "references": refs, "bleu": scores})
    dump(args.out, "nltk_bleu.json", bleu)

    # METEOR: NLTK's meteor_score with WordNet and with the synonym stage off; words lower-cased as NLTK does.
    meteor = []
    for _ in range(300):
        refs = [phrase(rng, 1, 8) for _ in range(rng.randint(1, 3))]
        cand = phrase(rng, 1, 8) if rng.random() < 0.5 else " ".join(
            w if rng.random() < 0.6 else rng.choice(VOCAB) for w in rng.choice(refs).split())
        meteor.append({"candidate": cand, "references": refs,
                       "meteor": meteor_score([r.split() for r in refs], cand.split()),
                       "meteor_no_synonyms": meteor_score([r.split() for r in refs], cand.split(), wordnet=NoWordNet())})
    dump(args.out, "nltk_meteor.json", meteor)

    # Porter stems and WordNet lemma names of a sample of WordNet's own single-word lemmas, inflected.
    lemmas = []
    for name in ("noun", "verb", "adj", "adv"):
        with open("/usr/share/wordnet/index." + name) as f:
            lemmas += [line.split(" ")[0] for line in f if not line.startswith(" ") and "_" not in line.split(" ")[0]]
    lemmas = sorted(set(lemmas))
    words = sorted(set(rng.sample(lemmas, 1500) + [w + s for w in rng.sample(lemmas, 700) for s in [rng.choice(["s", "es", "ed", "ing", "ly", "er", "est", "ies", "ness"])]]
                       + [w.lower() for w in VOCAB] + ["y", "yy", "sky", "skies", "dying", "generalization", "oscillators", "hopping", "agreed"]))
    stemmer = PorterStemmer()
    dump(args.out, "nltk_porter.json", [{"word": w, "stem": stemmer.stem(w)} for w in words])
    synonyms = []
    for w in words[::3] + [w.lower() for w in VOCAB]:
        names = sorted({l.name() for s in wordnet.synsets(w) for l in s.lemmas()})
        synonyms.append({"word": w, "lemma_names": names})
    dump(args.out, "nltk_wordnet.json", synonyms)


def dump(out, name, value):
    with open(os.path.join(out, name), "w") as f:
        json.dump(value, f, indent=0, sort_keys=True)
        f.write("\n")
    print("wrote", name, len(value))


if __name__ == "__main__":
    main()
