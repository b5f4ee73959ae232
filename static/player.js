// Lesson video: resume where the learner left off (on any device), and report the playback
// position with a small beacon every 10 s while playing and on pause. The school's actor batches
// these; nothing is written per beacon.
(() => {
  const video = document.querySelector('video[data-lesson]');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  if (!video || !csrf) return;
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
