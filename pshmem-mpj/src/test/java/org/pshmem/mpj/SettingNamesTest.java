package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pshmem.spi.Setting;

/** The names the MPJ transport passes on or prints are the ones {@link Setting} declares. */
class SettingNamesTest
{
    @Test
    void namesPassedToRanksAreTheDeclaredOnes()
    {
        assertEquals(Setting.JOB_DIR.property().orElseThrow(), JobFolder.PROPERTY);
        assertEquals(Setting.JOB_DIR.property().orElseThrow(), GuardedRank.JOB_DIR_PROPERTY);
        assertEquals(Setting.LAUNCHER_PID.property().orElseThrow(), GuardedRank.LAUNCHER_PID_PROPERTY);
        assertEquals(Setting.ABORT_GRACE_MS.property().orElseThrow(), GuardedRank.GRACE_PROPERTY);
        assertEquals(Setting.NODE.property().orElseThrow(), NodeNames.PROPERTY);
        assertEquals(Setting.SHM_DIR.property().orElseThrow(), MpjSession.SHM_DIR_PROPERTY);
        assertEquals(Setting.SHM_DIR.environmentVariable().orElseThrow(), MpjSession.SHM_DIR_ENV);
        assertEquals(Setting.SHM_DIR.defaultValue().orElseThrow(), MpjSession.DEFAULT_SHM_DIR);
        assertEquals(Setting.NODE.environmentVariable().orElseThrow(), NodeNames.ENV);
    }

    @Test
    void theListeningAddressReadOnItsOwnUsesTheDeclaredNames()
    {
        assertEquals(Setting.LISTEN_ADDRESS.property().orElseThrow(), ListenAddress.PROPERTY);
        assertEquals(Setting.LISTEN_ADDRESS.environmentVariable().orElseThrow(), ListenAddress.ENV);
    }
}
