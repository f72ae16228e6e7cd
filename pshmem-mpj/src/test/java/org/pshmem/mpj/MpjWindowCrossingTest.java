package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.spi.Windows;
import org.pshmem.tests.WindowCrossingJob;

/**
 * Reads and writes across the windows of segment files: 4 JVMs on 2 simulated nodes, with the test-only
 * setting {@value Windows#SHIFT_PROPERTY} = 12 (4 KiB windows) and {@code set()}'s messages between nodes cut
 * to 1000 bytes, run {@link WindowCrossingJob}, which checks every element after each write.
 */
class MpjWindowCrossingTest
{
    @Test
    void readsAndWritesCrossSmallWindowsOfSegmentFiles()
    {
        final MpjJobs.Result result = MpjJobs.run(
            List.of("-np", "4", "--device", "niodev", "--nodes", "2", "--timeout", "300"),
            List.of("-D" + Windows.SHIFT_PROPERTY + "=12", "-Dpshmem.setChunkBytes=1000"), line -> { },
            WindowCrossingJob.class.getName());
        assertEquals(0, result.status(), result.both());
        assertEquals(List.of("rank 0: windows of 512 doubles crossed", "rank 1: windows of 512 doubles crossed",
            "rank 2: windows of 512 doubles crossed", "rank 3: windows of 512 doubles crossed"),
            result.out().lines().filter(line -> line.startsWith("rank ")).sorted().toList(), result.both());
    }
}
