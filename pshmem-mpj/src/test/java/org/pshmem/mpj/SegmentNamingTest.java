package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pshmem.shm.SegmentNaming;

/**
 * The ranks of a job agree at start on how segments are reached: unnamed only when every rank can open the
 * {@code /proc/<pid>/fd} of every other process of its node, else all fall back to names, saying which rank could
 * not reach which.
 */
class SegmentNamingTest
{
    private static final SegmentNaming.Decision FINE_HERE = new SegmentNaming.Decision(SegmentNaming.UNNAMED, "");

    @Test
    void aRankFindsAPeerOfItsNodeWhoseDescriptorsItCannotOpen() throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        final long self = ProcessHandle.current().pid();
        final long[] pids = {self, finished.pid(), finished.pid()};
        assertEquals(2, SegmentNaming.find(FINE_HERE, pids, new long[] {7, 8, 7}, 0), "rank 2 is on node 7");
        assertEquals(SegmentNaming.FINE, SegmentNaming.find(FINE_HERE, pids, new long[] {7, 8, 9}, 0),
            "other nodes' ranks are not looked at");
        assertEquals(SegmentNaming.FINE, SegmentNaming.find(FINE_HERE, new long[] {self, self}, new long[] {7, 7}, 0),
            "ranks of this process (multicore) need nothing");
        assertEquals(SegmentNaming.OWN, SegmentNaming.find(
            new SegmentNaming.Decision(SegmentNaming.NAMED, "no /proc"), pids, new long[] {7, 8, 7}, 0));
    }

    @Test
    void everyRankFallsBackWhenOneCannotReachAPeer()
    {
        final long[] pids = {100, 101, 102};
        assertEquals(FINE_HERE, SegmentNaming.agree(new int[] {-1, -1, -1}, pids, 0, FINE_HERE));
        assertEquals(new SegmentNaming.Decision(SegmentNaming.NAMED, "rank 2 cannot open /proc/101/fd of rank 1 on " +
            "its node (hidepid, or another user or pid namespace?)"),
            SegmentNaming.agree(new int[] {-1, -1, 1}, pids, 0, FINE_HERE));
        assertEquals(new SegmentNaming.Decision(SegmentNaming.NAMED, "rank 1 cannot find its own descriptors under " +
            "/proc/101/fd"), SegmentNaming.agree(new int[] {-1, SegmentNaming.OWN, -1}, pids, 0, FINE_HERE));
        assertEquals(new SegmentNaming.Decision(SegmentNaming.NAMED, "no /proc"), SegmentNaming.agree(
            new int[] {SegmentNaming.OWN, -1, -1}, pids, 0, new SegmentNaming.Decision(SegmentNaming.NAMED,
                "no /proc")), "this rank's own reason");
    }
}
