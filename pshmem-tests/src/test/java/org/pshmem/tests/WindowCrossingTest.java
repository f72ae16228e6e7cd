package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalLauncher;
import org.pshmem.spi.Windows;

/**
 * Reads and writes that cross the windows node memory is seen through. Windows are 1 GiB, so only arrays of
 * several GiB cross them in normal use; here a child JVM runs with the test-only setting
 * {@value Windows#SHIFT_PROPERTY} = 12 (4 KiB windows: 512 doubles, 4096 bytes) and with
 * {@code set()}'s messages between nodes cut to 1000 bytes, so every run exercises the splitting at window
 * boundaries on 4 ranks and 2 nodes.
 */
class WindowCrossingTest
{
    @Test
    void readsAndWritesCrossSmallWindowsOnEveryNode() throws Exception
    {
        final ChildProcess.Result result = LocalJvm.run(List.of("-D" + Windows.SHIFT_PROPERTY + "=12",
            "-Dpshmem.setChunkBytes=1000"), LocalLauncher.class.getName(), "-np", "4", "--nodes", "2",
            WindowCrossingJob.class.getName());
        assertEquals(0, result.status(), result.out() + result.err());
        assertEquals(List.of("rank 0: windows of 512 doubles crossed", "rank 1: windows of 512 doubles crossed",
            "rank 2: windows of 512 doubles crossed", "rank 3: windows of 512 doubles crossed"),
            result.out().lines().sorted().toList(), result.err());
    }
}
