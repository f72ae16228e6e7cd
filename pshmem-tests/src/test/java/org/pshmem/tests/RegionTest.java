package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Region;

/**
 * {@link Region}: its two factories, defensive copies, value semantics, text and every refused argument.
 */
class RegionTest
{
    @Test
    void atAndOfMakeTheSameRegion()
    {
        final Region at = Region.at(1, 1).size(2, 3);
        final Region of = Region.of(new long[] {1, 1}, new long[] {2, 3});
        assertEquals(at, of);
        assertArrayEquals(new long[] {1, 1}, at.offset());
        assertArrayEquals(new long[] {2, 3}, at.shape());
        assertEquals(2, at.dimensions());
        assertEquals(6, at.count());
    }

    @Test
    void zeroExtentsMakeAnEmptyRegion()
    {
        assertEquals(0, Region.at(0, 4).size(3, 0).count());
        assertEquals(1, Region.at(7).size(1).count());
    }

    @Test
    void aCornerGivesIndependentRegions()
    {
        final Region.Corner corner = Region.at(2, 0);
        assertEquals(Region.of(new long[] {2, 0}, new long[] {1, 5}), corner.size(1, 5));
        assertEquals(Region.of(new long[] {2, 0}, new long[] {3, 1}), corner.size(3, 1));
        assertEquals("Region.Corner[offset=(2, 0)]", corner.toString());
    }

    @Test
    void argumentsAreCopiedIn()
    {
        final long[] offset = {1, 2};
        final long[] shape = {3, 4};
        final Region of = Region.of(offset, shape);
        final Region.Corner corner = Region.at(offset);
        final Region at = corner.size(shape);
        offset[0] = 99;
        shape[0] = 99;
        assertArrayEquals(new long[] {1, 2}, of.offset());
        assertArrayEquals(new long[] {3, 4}, of.shape());
        assertEquals(of, at);
        assertEquals(of, corner.size(3, 4));
    }

    @Test
    void accessorsReturnCopies()
    {
        final Region region = Region.at(1, 2).size(3, 4);
        region.offset()[0] = 99;
        region.shape()[0] = 99;
        assertArrayEquals(new long[] {1, 2}, region.offset());
        assertArrayEquals(new long[] {3, 4}, region.shape());
        assertEquals(12, region.count());
    }

    @Test
    void equalsAndHashCodeFollowOffsetAndShape()
    {
        final Region a = Region.at(1, 1).size(2, 3);
        final Region b = Region.at(1, 1).size(2, 3);
        assertEquals(a, a);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Region.at(1, 2).size(2, 3));
        assertNotEquals(a, Region.at(1, 1).size(3, 2));
        assertNotEquals(a, Region.at(1, 1, 0).size(2, 3, 1));
        // Offset and shape are not interchangeable.
        assertNotEquals(Region.at(2, 3).size(1, 1), Region.at(1, 1).size(2, 3));
        assertNotEquals(a, null);
        assertNotEquals(a, "Region[offset=(1, 1), shape=(2, 3)]");
    }

    @Test
    void toStringShowsOffsetAndShapeAsNumpyDoes()
    {
        assertEquals("Region[offset=(1, 1), shape=(2, 3)]", Region.at(1, 1).size(2, 3).toString());
        assertEquals("Region[offset=(4,), shape=(0,)]", Region.at(4).size(0).toString());
    }

    @Test
    void nullArgumentsAreNamed()
    {
        assertEquals("Region.at(): offset is null",
            assertThrows(NullPointerException.class, () -> Region.at((long[])null)).getMessage());
        assertEquals("Region.size(): shape is null",
            assertThrows(NullPointerException.class, () -> Region.at(1).size((long[])null)).getMessage());
        assertEquals("Region.of(): offset is null",
            assertThrows(NullPointerException.class, () -> Region.of(null, new long[] {1})).getMessage());
        assertEquals("Region.of(): shape is null",
            assertThrows(NullPointerException.class, () -> Region.of(new long[] {1}, null)).getMessage());
    }

    @Test
    void lengthsMustMatch()
    {
        assertEquals("Region: offset (1, 1) has 2 entries but shape (2,) has 1; give one of each per dimension",
            assertThrows(IllegalArgumentException.class, () -> Region.at(1, 1).size(2)).getMessage());
        assertEquals("Region: offset (0,) has 1 entries but shape (2, 3) has 2; give one of each per dimension",
            assertThrows(IllegalArgumentException.class,
                () -> Region.of(new long[] {0}, new long[] {2, 3})).getMessage());
    }

    @Test
    void atLeastOneDimension()
    {
        assertEquals("Region: no dimensions; give at least one offset entry and one extent",
            assertThrows(IllegalArgumentException.class, () -> Region.at().size()).getMessage());
        assertEquals("Region: no dimensions; give at least one offset entry and one extent",
            assertThrows(IllegalArgumentException.class, () -> Region.of(new long[0], new long[0])).getMessage());
    }

    @Test
    void negativesAreRefusedWithTheirDimension()
    {
        assertEquals("Region: offset (1, -1) is negative in dimension 1",
            assertThrows(IllegalArgumentException.class, () -> Region.at(1, -1).size(2, 3)).getMessage());
        assertEquals("Region: shape (-2, 3) is negative in dimension 0",
            assertThrows(IllegalArgumentException.class,
                () -> Region.of(new long[] {0, 0}, new long[] {-2, 3})).getMessage());
    }

    @Test
    void aCountBeyondLongIsRefused()
    {
        assertEquals("Region: shape (4294967296, 4294967296) holds more than 9223372036854775807 elements",
            assertThrows(IllegalArgumentException.class,
                () -> Region.at(0, 0).size(1L << 32, 1L << 32)).getMessage());
    }
}
