package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;

/** Checks shared by the tests of the node-memory layouts. */
final class LayoutAssertions
{
    private LayoutAssertions()
    {
    }

    /**
     * Asserts that the regions, each {@code {offset, bytes}}, start 8-byte aligned, do not overlap, and fit in
     * {@code total} bytes.
     */
    static void assertDisjointAndAligned(final int total, final int[]... regions)
    {
        final int[][] sorted = regions.clone();
        Arrays.sort(sorted, Comparator.comparingInt(region -> region[0]));
        int end = 0;
        for (final int[] region : sorted)
        {
            assertEquals(0, region[0] % Long.BYTES, "region at " + region[0] + " is not 8-byte aligned");
            assertTrue(region[1] > 0, "region at " + region[0] + " is empty");
            assertTrue(region[0] >= end, "region at " + region[0] + " overlaps the one before, which ends at " + end);
            end = region[0] + region[1];
        }
        assertTrue(end <= total, "the regions end at " + end + ", past the " + total + " bytes");
    }

    /** @return the message of a header whose magic number is wrong. */
    static String wrongMagic(final LayoutHeader header, final long found)
    {
        return "the node memory attached as " + header.what() + " does not start with its magic number 0x" +
            Long.toHexString(header.magic()) + " (found 0x" + Long.toHexString(found) + "): it was made by " +
            "another program or is not what the creating rank described";
    }

    /** @return the message of a header whose version is wrong. */
    static String wrongVersion(final LayoutHeader header, final int found)
    {
        return header.what() + " in node memory has layout version " + found + " but this rank's pshmem reads " +
            "version " + header.version() + ": every rank of a job must run the same pshmem";
    }
}
