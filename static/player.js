// Lesson video. An HLS ladder plays natively (Safari) or through hls.js; otherwise the plain file
// plays. For a signed-in learner it resumes where they left off (on any device) and reports the
// playback position with a small beacon every 10 s while playing and on pause; the school's actor
// batches these, nothing is written per beacon.
(() => {
  const video = document.querySelector('video[data-lesson]');
  if (!video) return;
  const ladder = video.dataset.hls;
  if (ladder) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = ladder;
    } else if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      hls.loadSource(ladder);
      hls.attachMedia(video);
      window.eduflowHls = hls;
    }
  }
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  if (!csrf) return;
  const resumeAt = Number(video.dataset.position || 0);
  video.addEventListener('loadedmetadata', () => {
    if (resumeAt > 0 && resumeAt < video.duration) video.currentTime = resumeAt;
  });
  let sent = -1;
  const report = () => {
    const seconds = Math.floor(video.currentTime);
    if (seconds === sent) return;
    sent = seconds;
    fetch(`/api/v1/lessons/${video.dataset.lesson}/position`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ seconds }),
      keepalive: true,
    }).catch(() => {});
  };
  setInterval(() => { if (!video.paused) report(); }, 10000);
  video.addEventListener('pause', report);
})();
