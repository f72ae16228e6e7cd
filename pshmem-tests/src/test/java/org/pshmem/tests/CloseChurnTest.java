package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalLauncher;

/**
 * Issue 18's churn loop on the in-process transport: 4 thread ranks create, fill and close a 200 MiB array 20
 * times without a view and 20 times with one kept past close(), in a JVM of their own. The memory of each
 * array goes back at its last close, so the JVM's peak resident memory over the loops grows by less than twice
 * the working set (it grew by gigabytes when closed arrays waited for the garbage collector).
 */
class CloseChurnTest
{
    private static final long WORKING_SET = 200L << 20;

    @Test
    void peakResidentMemoryStaysUnderTwiceTheWorkingSet() throws Exception
    {
        final Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), LocalLauncher.class.getName(), "-np", "4",
            CloseChurnJob.class.getName(), "200", "20", "both")).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(600, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), out);
        final long growth = out.lines().filter(line -> line.startsWith("PEAK_GROWTH ")).findFirst()
            .map(line -> Long.parseLong(line.substring("PEAK_GROWTH ".length())))
            .orElseThrow(() -> new AssertionError("no PEAK_GROWTH line: " + out));
        assertTrue(growth < 2 * WORKING_SET, "peak resident memory grew by " + growth + " bytes for a working set of " +
            WORKING_SET + ": " + out);
        final int expected = Runtime.version().feature() >= 22 ? CloseChurnJob.THREW_ILLEGAL_STATE :
            CloseChurnJob.ZEROS;
        assertEquals(20, out.lines().filter(line -> line.matches("KEPT_VIEW view \\d+ " + expected + " " + expected))
            .count(), "every rank's kept view read " + expected + " in every round: " + out);
    }
}
