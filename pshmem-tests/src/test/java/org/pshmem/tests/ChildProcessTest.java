package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Children run by tests end within their deadline: one that does not fails the test with what it printed, and
 * is killed, instead of blocking the suite.
 */
class ChildProcessTest
{
    @Test
    void theOutputAndStatusOfAChildThatEnds() throws Exception
    {
        final ChildProcess.Result result = ChildProcess.run(
            new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(30));
        assertEquals(3, result.status());
        assertEquals("out\n", result.out());
        assertEquals("err\n", result.err());
    }

    /** The guard against a hang is JUnit's timeout, far above the deadline: not a measure of speed. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChildThatDoesNotEndFailsTheTestAndIsKilled() throws Exception
    {
        final AssertionError failure = assertThrows(AssertionError.class, () -> ChildProcess.run(
            new ProcessBuilder("sh", "-c", "echo started $$; exec sleep 600"), Duration.ofSeconds(1)));
        final String message = failure.getMessage();
        assertTrue(message.contains("did not end within 1 s; it printed:\nstarted "), message);
        final long pid = Long.parseLong(message.substring(message.lastIndexOf("started ") + 8).trim());
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the child " + pid + " still runs");
    }
}
