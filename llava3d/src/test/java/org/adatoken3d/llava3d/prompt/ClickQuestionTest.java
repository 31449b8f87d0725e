package org.adatoken3d.llava3d.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClickQuestionTest {
    private static ClickQuestion.Click only(ClickQuestion q) {
        assertEquals(1, q.clicks().size(), q.toString());
        return q.clicks().getFirst();
    }

    @Test
    void aBracketedPointBecomesOneClickBetweenTwoTexts() {
        ClickQuestion q = ClickQuestion.parse("What is at [1.0, 2.0, 0.5]?");
        assertEquals(List.of("What is at ", "?"), q.texts());
        assertEquals(new ClickQuestion.Click(1.0, 2.0, 0.5, 11, 26), only(q));
        assertTrue(q.hasClicks());
    }

    @Test
    void numbersMayHaveSignsDecimalsExponentsAndAnySpacing() {
        assertEquals(new ClickQuestion.Click(-1.5, 0.25, 3.0, 0, 14), only(ClickQuestion.parse("[-1.5,+.25,3.]")));
        assertEquals(new ClickQuestion.Click(1000.0, -0.002, 7.0, 2, 23), only(ClickQuestion.parse("a [ 1e3 ,-2E-3 ,\t7e+0 ] b")));
        assertEquals(new ClickQuestion.Click(4.0, 5.0, 6.0, 0, 7), only(ClickQuestion.parse("[4,5,6]")));
    }

    @Test
    void severalClicksKeepTheirOrderAndTheTextBetweenThem() {
        ClickQuestion q = ClickQuestion.parse("[1,2,3][4,5,6] and [7, 8, 9]");
        assertEquals(List.of("", "", " and ", ""), q.texts());
        assertEquals(List.of(1.0, 4.0, 7.0), q.clicks().stream().map(ClickQuestion.Click::x).toList());
    }

    @Test
    void aQuestionWithoutAClickIsOneUnchangedText() {
        for (String s : new String[] {"What is red?", "See [1] and [note, 2]", "[x, y, z]", "[]", "a ] b [", "[ see [2] ]", ""}) {
            ClickQuestion q = ClickQuestion.parse(s);
            assertFalse(q.hasClicks(), s);
            assertEquals(List.of(s), q.texts());
        }
    }

    @Test
    void malformedClicksAreOneClearError() {
        String[][] cases = {
                {"Where is [1.0, 2.0]?", "\"[1.0, 2.0]\" looks like a click [x, y, z] but has 2 values; a click has three"},
                {"Where is [1, 2, 3, 4]?", "has 4 values"},
                {"Where is [1.0, abc, 2]?", "'abc' is not a number"},
                {"Where is [1.0, 2.0, 0.5?", "\"[1.0, 2.0, 0.5?\" looks like a click [x, y, z] but has no closing ']'"},
                {"Where is [1, 2,, 3]", "has 4 values"},
                {"Where is [1e, 2, 3]", "'1e' is not a number"},
                {"Where is [1, 2, 1e999]", "too large to be a point in a room"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClickQuestion.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void aClickAfterOrdinaryBracketsIsStillFound() {
        ClickQuestion q = ClickQuestion.parse("[note] [2] [0, 0, 1]");
        assertEquals(List.of("[note] [2] ", ""), q.texts());
        assertEquals(1.0, only(q).z());
    }

    @Test
    void aLongRunOfDigitsIsParsedWithoutBacktracking() {
        String digits = "1".repeat(200_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClickQuestion.parse("[" + digits + "x, 1, 2]"));
        assertTrue(e.getMessage().contains("is not a number"), e.getMessage());
    }
}
