package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Shape arithmetic: which shapes are refused and why, counts, strides and numpy's text of a shape. */
class ExtentsTest
{
    @Test
    void validShapesHaveNoProblem()
    {
        assertNull(Extents.shapeProblem(new long[] {3, 5}, 8));
        assertNull(Extents.shapeProblem(new long[] {0, 7}, 8), "an empty extent is allowed");
        assertNull(Extents.shapeProblem(new long[] {Long.MAX_VALUE / 8}, 8), "the largest shape that fits in bytes");
    }

    @Test
    void badShapesAreRefusedSayingWhy()
    {
        assertEquals("shape is null", Extents.shapeProblem(null, 8));
        assertEquals("shape has no dimensions; give at least one extent", Extents.shapeProblem(new long[0], 8));
        assertEquals("extent -1 of dimension 1 in shape (3, -1) is negative",
            Extents.shapeProblem(new long[] {3, -1}, 8));
        assertEquals("shape (4611686018427387904, 2) holds more than 9223372036854775807 bytes",
            Extents.shapeProblem(new long[] {1L << 62, 2}, 1), "the element count overflows");
        assertEquals("shape (1152921504606846976,) holds more than 9223372036854775807 bytes",
            Extents.shapeProblem(new long[] {1L << 60}, 8), "only the byte count overflows");
    }

    @Test
    void countsAndStridesAreRowMajor()
    {
        assertEquals(15, Extents.count(new long[] {3, 5}));
        assertEquals(0, Extents.count(new long[] {0, 7}));
        assertEquals(1, Extents.count(new long[0]));
        assertArrayEquals(new long[] {12, 4, 1}, Extents.strides(new long[] {2, 3, 4}));
        assertArrayEquals(new long[] {1}, Extents.strides(new long[] {9}));
    }

    @Test
    void textIsNumpys()
    {
        assertEquals("(3, 5)", Extents.text(new long[] {3, 5}));
        assertEquals("(7,)", Extents.text(new long[] {7}));
        assertEquals("(2, 0, 4)", Extents.text(new long[] {2, 0, 4}));
    }
}
